import { z } from 'zod';

/** Building blocks for config schemas: environment variables are strings, these coerce and check them. */

export const port = (fallback: number) => z.coerce.number().int().min(1).max(65_535).default(fallback);

/**
 * The address a service listens on. Loopback by default, so a service started outside a container is not reachable
 * from the network by accident; containers set `HOST=0.0.0.0`.
 */
export const bindHost = z.string().min(1).default('127.0.0.1');

/** A port that may be left unset (a feature that is off unless given one). */
export const optionalPort = z.coerce.number().int().min(1).max(65_535).optional();

export const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

export const nonNegativeNumber = (fallback: number) => z.coerce.number().min(0).default(fallback);

/** `true/false/1/0/yes/no`, case-insensitive. */
export const booleanFlag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no', 'TRUE', 'FALSE', 'YES', 'NO'], {
      error: 'must be true or false',
    })
    .default(fallback ? 'true' : 'false')
    .transform((value) => ['true', '1', 'yes'].includes(value.toLowerCase()));

const hasProtocol = (value: string, protocols: readonly string[]) => {
  try {
    return protocols.includes(new URL(value).protocol.replace(/:$/, ''));
  } catch {
    return false;
  }
};

export const url = (protocols: readonly string[], fallback: string) =>
  z
    .string()
    .default(fallback)
    .refine((value) => hasProtocol(value, protocols), `must be a URL with protocol ${protocols.join(' or ')}`);

/** A PostgreSQL URL with no default: an optional second URL whose absence means "use DATABASE_URL". */
export const optionalPostgresUrl = z
  .url({ protocol: /^postgres(ql)?$/, error: 'must be a postgresql:// URL' })
  .optional();

/** Comma-separated list of URLs, e.g. `nats://a:4222,nats://b:4222`. */
export const urlList = (protocols: readonly string[], fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value) => value.split(',').map((item) => item.trim()))
    .refine((values) => values.every((value) => hasProtocol(value, protocols)), {
      message: `must be comma-separated URLs with protocol ${protocols.join(' or ')}`,
    });

export const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info');

/** Identifier-like names used for NATS streams, consumers and subject prefixes. */
export const natsName = (fallback: string) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'may hold only letters, digits, "-" and "_"')
    .default(fallback);

export const subjectPrefix = (fallback: string) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'must be dot-separated tokens of letters, digits, "-" and "_"')
    .default(fallback);

/** A size in bytes, or -1 for no limit (JetStream's convention for stream limits). */
export const byteLimit = (fallback: number) =>
  z.coerce
    .number()
    .int()
    .refine((bytes) => bytes === -1 || bytes > 0, 'must be a whole number of bytes above 0, or -1 for no limit')
    .default(fallback);
