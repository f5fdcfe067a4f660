import { randomBytes } from 'node:crypto';

/** Stream, subject and durable names no other test run uses, so suites can share one NATS server. */
export interface UniqueNames {
  /** The random part shared by every name below. */
  readonly id: string;
  /** e.g. `PUBLISH_3f9a1c2b` (stream names allow no dots or wildcards). */
  readonly stream: string;
  /** e.g. `PUBLISH_3f9a1c2b_DLQ` */
  readonly deadLetterStream: string;
  /** e.g. `t.publish.3f9a1c2b`: events go to `<subjectPrefix>.<source>`. */
  readonly subjectPrefix: string;
  /** e.g. `t-dlq.publish.3f9a1c2b`: dead letters go to `<deadLetterPrefix>.<origin>`; apart from `subjectPrefix` because two streams may not share subjects. */
  readonly deadLetterPrefix: string;
  /** A durable consumer name, e.g. `durable('fb')` → `fb-3f9a1c2b`. */
  durable(name: string): string;
}

export function uniqueNames(prefix: string): UniqueNames {
  const id = randomBytes(4).toString('hex');
  const token = prefix.toLowerCase().replace(/[^a-z0-9_-]+/g, '-');
  const stream = `${token.toUpperCase().replace(/-/g, '_')}_${id}`;
  const subjectPrefix = `t.${token}.${id}`;
  return {
    id,
    stream,
    deadLetterStream: `${stream}_DLQ`,
    subjectPrefix,
    deadLetterPrefix: `t-dlq.${token}.${id}`,
    durable: (name: string) => `${name.toLowerCase().replace(/[^a-z0-9_-]+/g, '-')}-${id}`,
  };
}
