import { z } from 'zod';

/** Raised at start-up when an environment variable is missing or malformed; names every bad variable. */
export class ConfigValidationError extends Error {
  override readonly name = 'ConfigValidationError';
  readonly code = 'CONFIG.INVALID';

  constructor(
    readonly service: string,
    readonly problems: ReadonlyArray<{ variable: string; message: string }>,
  ) {
    super(
      `Invalid configuration for ${service}:\n` +
        problems.map(({ variable, message }) => `  - ${variable}: ${message}`).join('\n'),
    );
  }
}

/**
 * Reads a service's configuration from environment variables through its Zod schema.
 * The schema's keys are the variable names, so an error names exactly the variable to fix.
 */
export function loadConfig<Schema extends z.ZodObject>(
  service: string,
  schema: Schema,
  env: NodeJS.ProcessEnv = process.env,
): z.output<Schema> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  throw new ConfigValidationError(
    service,
    parsed.error.issues.map((issue) => ({
      variable: issue.path.map(String).join('.') || '(environment)',
      message: issue.message,
    })),
  );
}
