/** Where a string that cannot be stored is, and why (the shape of a ValidationIssue). */
export interface UnstorableText {
  path: string;
  message: string;
}

/** Problems listed for one event at most: a hostile event could hold thousands of bad strings. */
const MAX_ISSUES = 10;

/** What PostgreSQL text and jsonb cannot hold, or undefined when the string is storable. */
function problemOf(text: string): string | undefined {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0) return 'must not contain the NUL character (\\u0000): PostgreSQL text and jsonb cannot store it';
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      return 'must not contain an unpaired UTF-16 surrogate (\\ud800-\\udfff): it is not Unicode text';
    }
    if (code >= 0xdc00 && code <= 0xdfff) {
      return 'must not contain an unpaired UTF-16 surrogate (\\ud800-\\udfff): it is not Unicode text';
    }
  }
  return undefined;
}

/** A value met while walking an event, with the way back to its root for the path of an issue. */
interface Visit {
  value: unknown;
  key: string | undefined;
  parent: Visit | undefined;
}

/** Keys of a path named at most: the path of a string nested thousands deep would otherwise be kilobytes long. */
const MAX_PATH_KEYS = 20;

function pathOf(visit: Visit): string {
  const keys: string[] = [];
  for (let at: Visit | undefined = visit; at?.key !== undefined; at = at.parent) keys.push(at.key);
  keys.reverse();
  return keys.length > MAX_PATH_KEYS ? `${keys.slice(0, MAX_PATH_KEYS).join('.')}.…` : keys.join('.');
}

/**
 * Every string of an event (keys too, and fields outside the contract, which are stored as jsonb) must be text
 * PostgreSQL can store: no NUL and no lone surrogate. Otherwise an event accepted by the gateway would fail its
 * whole write at the database and end in the dead-letter stream later.
 *
 * The walk keeps its own stack: a hostile event may nest thousands of levels deep, past the call stack.
 */
export function unstorableTextIssues(input: unknown): UnstorableText[] {
  if (!mayHoldUnstorableText(input)) return [];
  const issues: UnstorableText[] = [];
  const pending: Visit[] = [{ value: input, key: undefined, parent: undefined }];
  while (pending.length > 0 && issues.length < MAX_ISSUES) {
    const visit = pending.pop() as Visit;
    const { value } = visit;
    if (typeof value === 'string') {
      const problem = problemOf(value);
      if (problem !== undefined) issues.push({ path: pathOf(visit), message: problem });
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    const children = Object.entries(value);
    for (let i = children.length - 1; i >= 0; i--) {
      const [key, child] = children[i] as [string, unknown];
      const keyProblem = problemOf(key);
      if (keyProblem !== undefined && issues.length < MAX_ISSUES) {
        issues.push({
          path: pathOf({ value: key, key: JSON.stringify(key), parent: visit }),
          message: `field name ${keyProblem}`,
        });
      }
      pending.push({ value: child, key, parent: visit });
    }
  }
  return issues;
}

/** NUL or any surrogate (paired ones, emoji, are fine: the precise check tells them apart). */
function isSuspect(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0 || (code >= 0xd800 && code <= 0xdfff)) return true;
  }
  return false;
}

/**
 * The quick pass over every string and key, which nearly every event passes (half the cost of the precise walk,
 * which builds the way back to each value for the issue's path).
 */
function mayHoldUnstorableText(input: unknown): boolean {
  const pending: unknown[] = [input];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === 'string') {
      if (isSuspect(value)) return true;
    } else if (typeof value === 'object' && value !== null) {
      for (const key in value) {
        if (!Object.hasOwn(value, key)) continue;
        if (isSuspect(key)) return true;
        pending.push((value as Record<string, unknown>)[key]);
      }
    }
  }
  return false;
}
