import { z } from 'zod';

const optionalText = z.string().min(1, 'is empty: give a value or leave it unset').optional();

const natsAuthSchema = z.object({
  /** User name of a `user`/`password` identity in the server's authorization block. @default unset (no user) */
  NATS_USER: optionalText,
  /** Password of NATS_USER; also `NATS_PASSWORD_FILE`. @default unset */
  NATS_PASSWORD: optionalText,
  /** Token of a server that authenticates by token; also `NATS_TOKEN_FILE`. @default unset */
  NATS_TOKEN: optionalText,
  /** NKey seed (`SU…`) of an nkey identity; also `NATS_NKEY_SEED_FILE`. @default unset */
  NATS_NKEY_SEED: z
    .string()
    .regex(
      /^SU[A-Z2-7]+$/,
      'must be a user NKey seed (SU followed by base32 characters, as nsc or nk -gen user prints)',
    )
    .optional(),
  /** File of the CA certificates that sign the server's certificate; turns TLS on. @default unset (system CAs) */
  NATS_TLS_CA: optionalText,
  /** Client certificate file, for a server that verifies clients (mutual TLS); needs NATS_TLS_KEY. @default unset */
  NATS_TLS_CERT: optionalText,
  /** Private key file of NATS_TLS_CERT. @default unset */
  NATS_TLS_KEY: optionalText,
});

/**
 * How a service proves who it is to NATS, spread into the config schema of every service that connects (the gateway
 * and both collectors); each such schema also calls {@link checkNatsAuth} in its `superRefine`, since a spread shape
 * cannot check one variable against another.
 */
export const natsAuthEnv = natsAuthSchema.shape;

export type NatsAuthEnv = z.output<typeof natsAuthSchema>;

/** Secret variables of {@link natsAuthEnv}, also accepted as `<NAME>_FILE`. */
export const NATS_SECRET_VARIABLES = ['NATS_PASSWORD', 'NATS_TOKEN', 'NATS_NKEY_SEED'] as const;

/** Refuses combinations the server would only refuse later, with a less helpful message. */
export function checkNatsAuth(config: NatsAuthEnv, context: z.RefinementCtx): void {
  const problem = (variable: keyof NatsAuthEnv, message: string) =>
    context.addIssue({ code: 'custom', path: [variable], message });
  if (config.NATS_USER !== undefined && config.NATS_PASSWORD === undefined) {
    problem('NATS_PASSWORD', `is required with NATS_USER (${config.NATS_USER}); set it or NATS_PASSWORD_FILE`);
  }
  if (config.NATS_PASSWORD !== undefined && config.NATS_USER === undefined) {
    problem('NATS_USER', 'is required with NATS_PASSWORD: a password alone names no identity');
  }
  const methods = [
    config.NATS_USER !== undefined && 'NATS_USER',
    config.NATS_TOKEN !== undefined && 'NATS_TOKEN',
    config.NATS_NKEY_SEED !== undefined && 'NATS_NKEY_SEED',
  ].filter((method) => method !== false);
  if (methods.length > 1) {
    problem(methods[1] as keyof NatsAuthEnv, `set only one of ${methods.join(', ')}: a connection has one identity`);
  }
  if ((config.NATS_TLS_CERT === undefined) !== (config.NATS_TLS_KEY === undefined)) {
    problem(
      config.NATS_TLS_CERT === undefined ? 'NATS_TLS_CERT' : 'NATS_TLS_KEY',
      'NATS_TLS_CERT and NATS_TLS_KEY go together (a client certificate and its key)',
    );
  }
}

/** Credentials and TLS files of one NATS connection, in the shape the messaging module takes. */
export interface NatsConnectionAuth {
  user?: string;
  password?: string;
  token?: string;
  nkeySeed?: string;
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
}

export function natsAuthOf(config: NatsAuthEnv): NatsConnectionAuth {
  const tlsWanted = [config.NATS_TLS_CA, config.NATS_TLS_CERT, config.NATS_TLS_KEY].some((file) => file !== undefined);
  return {
    user: config.NATS_USER,
    password: config.NATS_PASSWORD,
    token: config.NATS_TOKEN,
    nkeySeed: config.NATS_NKEY_SEED,
    tls: tlsWanted
      ? { caFile: config.NATS_TLS_CA, certFile: config.NATS_TLS_CERT, keyFile: config.NATS_TLS_KEY }
      : undefined,
  };
}
