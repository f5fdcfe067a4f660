import { z } from 'zod';

export interface SecretListOptions {
  /** What one entry is called in messages, e.g. `key` or `token`. */
  noun: string;
  /** Characters an entry may hold, so that clients can send it where it goes (a header, a query string). */
  allowed: RegExp;
  /** Says in words what {@link allowed} admits, e.g. `letters, digits and - . _ ~`. */
  allowedHint: string;
  /** What leaving the variable unset does, named in the message for an empty value. */
  unsetMeans: string;
  /**
   * Shortest entry accepted: 16 characters of a random hex or base64 secret carry 64 bits or more.
   * @default 16
   */
  minLength?: number;
}

/**
 * A list of secrets (API keys, webhook tokens), comma-separated (a file may hold one per line). Several are accepted
 * at once so that one can be rotated: add the new one, move the clients, remove the old one. Unset gives none; set
 * but empty is refused, since that is more likely a missing secret than a wish to run without authentication.
 * Messages name an entry by its position, never its value: start-up errors are logged, and a secret that is only
 * slightly wrong is still a secret.
 */
export function secretList({ noun, allowed, allowedHint, unsetMeans, minLength = 16 }: SecretListOptions) {
  const problemOf = (secret: string, position: string): string | undefined => {
    if (secret === '') return `${position} is empty (a doubled or trailing comma?)`;
    if (secret.length < minLength) {
      return `${position} has ${secret.length} characters; each ${noun} needs at least ${minLength} (e.g. openssl rand -hex 32)`;
    }
    if (!allowed.test(secret)) return `${position} may hold only ${allowedHint}`;
    return undefined;
  };
  return z
    .string()
    .optional()
    .transform((value, context): string[] => {
      if (value === undefined) return [];
      if (value.trim() === '') {
        context.addIssue({
          code: 'custom',
          message: `is empty: give at least one ${noun}, or leave it unset to ${unsetMeans}`,
        });
        return z.NEVER;
      }
      const secrets = value
        .trim()
        .split(/,|\r?\n/)
        .map((secret) => secret.trim());
      for (const [index, secret] of secrets.entries()) {
        const problem = problemOf(secret, `${noun} ${index + 1} of ${secrets.length}`);
        if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
      }
      return secrets;
    });
}
