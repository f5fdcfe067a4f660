import {
  checkNatsAuth,
  loadConfigWithSecretFiles,
  NATS_SECRET_VARIABLES,
  type NatsConnectionAuth,
  natsAuthEnv,
  natsAuthOf,
  natsName,
  subjectPrefix,
  urlList,
} from '@evp/config';
import { DEAD_LETTER_STREAM, DEAD_LETTER_SUBJECT_PREFIX } from '@evp/contracts';
import { z } from 'zod';

/** The dead-letter CLI's environment variables; each key is the variable name, each default the documented one. */
export const dlqConfigSchema = z
  .object({
    NATS_URL: urlList(['nats', 'tls'], 'nats://127.0.0.1:4222'),
    /** The CLI reads, replays and deletes letters: in a deployment with NATS identities, the provisioner's. */
    ...natsAuthEnv,
    /** The dead-letter stream the services write to. @default EVENTS_DLQ */
    DEAD_LETTER_STREAM: natsName(DEAD_LETTER_STREAM),
    /** Letters are published to `<prefix>.<origin>`. @default dlq */
    DEAD_LETTER_SUBJECT_PREFIX: subjectPrefix(DEAD_LETTER_SUBJECT_PREFIX),
    /**
     * Stream recording which letters `replay` stored again, so `purge --replayed` removes those and only those;
     * created by the first replay. @default `<DEAD_LETTER_STREAM>_REPLAYED`
     */
    DLQ_REPLAYED_STREAM: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/, 'may hold only letters, digits, "-" and "_"')
      .optional(),
  })
  .superRefine(checkNatsAuth);

export interface DlqConfig {
  natsUrl: string[];
  stream: string;
  prefix: string;
  replayedStream: string;
  auth: NatsConnectionAuth;
}

export function loadDlqConfig(env: NodeJS.ProcessEnv = process.env): DlqConfig {
  const config = loadConfigWithSecretFiles('dlq', dlqConfigSchema, env, NATS_SECRET_VARIABLES);
  return {
    natsUrl: config.NATS_URL,
    stream: config.DEAD_LETTER_STREAM,
    prefix: config.DEAD_LETTER_SUBJECT_PREFIX,
    replayedStream: config.DLQ_REPLAYED_STREAM ?? `${config.DEAD_LETTER_STREAM}_REPLAYED`,
    auth: natsAuthOf(config),
  };
}
