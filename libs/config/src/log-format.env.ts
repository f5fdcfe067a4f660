import { existsSync } from 'node:fs';
import { z } from 'zod';

export type LogFormat = 'pretty' | 'json';

/**
 * Readable colour lines for a person at a terminal, one JSON object per line for everything else (log collectors
 * read the container's stdout, which is never a terminal, but `docker run -t` would make it one: hence the check).
 */
export function defaultLogFormat(
  stdout: { isTTY?: boolean } = process.stdout,
  env: NodeJS.ProcessEnv = process.env,
  inContainer: () => boolean = () => existsSync('/.dockerenv') || existsSync('/run/.containerenv'),
): LogFormat {
  if (stdout.isTTY !== true) return 'json';
  return env.KUBERNETES_SERVICE_HOST === undefined && !inContainer() ? 'pretty' : 'json';
}

/** `LOG_FORMAT`: `pretty` or `json`. @default pretty on a terminal outside containers, json otherwise */
export const logFormat = z
  .enum(['pretty', 'json'], { error: 'must be pretty or json' })
  .default(() => defaultLogFormat());
