/** The counts a gateway reports for a batch, when its reply says so. */
export interface ReplyCounts {
  accepted?: number;
  rejected?: number;
}

/**
 * Reads `accepted` and `rejected` from a JSON reply body, as counts or as lists (whose length is
 * the count). Anything else (no body, not JSON, other shapes) yields no counts rather than an error:
 * the publisher judges a reply by its status, and the counts are only reported.
 */
export function readReplyCounts(text: string): ReplyCounts {
  if (!text.trimStart().startsWith('{')) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof parsed !== 'object' || parsed === null) return {};
  const reply = parsed as Record<string, unknown>;
  const counts: ReplyCounts = {};
  const accepted = countOf(reply.accepted);
  const rejected = countOf(reply.rejected);
  if (accepted !== undefined) counts.accepted = accepted;
  if (rejected !== undefined) counts.rejected = rejected;
  return counts;
}

function countOf(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  if (Array.isArray(value)) return value.length;
  return undefined;
}
