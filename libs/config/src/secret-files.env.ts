import { readFileSync } from 'node:fs';
import { ConfigValidationError, loadConfig } from './config.loader';
import { type z } from 'zod';

/**
 * {@link loadConfig} with `<NAME>_FILE` for the given secret variables: Docker and Kubernetes hand secrets over
 * as files, so `<NAME>_FILE` names a file whose content (surrounding whitespace removed) is the value of
 * `<NAME>`. Setting both is refused, and a problem with a value read from a file names the `_FILE` variable,
 * the one to fix.
 */
export function loadConfigWithSecretFiles<Schema extends z.ZodObject>(
  service: string,
  schema: Schema,
  env: NodeJS.ProcessEnv,
  secrets: readonly string[],
): z.output<Schema> {
  const resolved: NodeJS.ProcessEnv = { ...env };
  const fromFiles = new Set<string>();
  const problems: { variable: string; message: string }[] = [];
  for (const name of secrets) {
    const file = env[`${name}_FILE`];
    if (file === undefined) continue;
    if (env[name] !== undefined) {
      problems.push({ variable: `${name}_FILE`, message: `set either ${name} or ${name}_FILE, not both` });
      continue;
    }
    try {
      resolved[name] = readFileSync(file, 'utf8').trim();
      fromFiles.add(name);
    } catch (error) {
      const reason = error instanceof Error && 'code' in error ? String(error.code) : String(error);
      problems.push({ variable: `${name}_FILE`, message: `cannot read ${file} (${reason})` });
    }
  }
  if (problems.length > 0) throw new ConfigValidationError(service, problems);
  try {
    return loadConfig(service, schema, resolved);
  } catch (error) {
    if (!(error instanceof ConfigValidationError)) throw error;
    throw new ConfigValidationError(
      service,
      error.problems.map((problem) =>
        fromFiles.has(problem.variable) ? { ...problem, variable: `${problem.variable}_FILE` } : problem,
      ),
    );
  }
}
