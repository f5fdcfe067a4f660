import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';

/**
 * Copies the variables of a `.env` file into `env`, leaving alone every variable `env` already has: what the shell
 * exports wins over the file. Returns the names taken from the file (none when it does not exist).
 */
export function loadDotEnv(path: string, env: NodeJS.ProcessEnv = process.env): string[] {
  if (!existsSync(path)) return [];
  const loaded: string[] = [];
  for (const [name, value] of Object.entries(parseEnv(readFileSync(path, 'utf8')))) {
    if (env[name] !== undefined || value === undefined) continue;
    env[name] = value;
    loaded.push(name);
  }
  return loaded;
}
