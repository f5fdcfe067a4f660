/** Series name suffixes Prometheus derives from one declared histogram or summary. */
const DERIVED_SUFFIXES: Record<string, readonly string[]> = {
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['_sum', '_count'],
};

/**
 * Every series name a `/metrics` page declares, from its `# TYPE` lines: a labelled counter that was never
 * incremented has no sample yet, but the service does expose it.
 */
export function declaredMetricNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of exposition.matchAll(/^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (\w+)$/gm)) {
    names.add(name!);
    for (const suffix of DERIVED_SUFFIXES[type!] ?? []) names.add(`${name}${suffix}`);
  }
  return names;
}

/** PromQL words that are not metric names where they stand outside a call. */
const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'offset',
  'bool',
  'inf',
  'nan',
]);

/**
 * The metric names an expression selects. PromQL is not parsed: strings, label matchers, ranges and grouping
 * clauses are cut out, then every remaining word that is neither a function call, a keyword nor part of a number
 * is a metric name. Enough for the expressions of dashboards and alert rules, whose syntax Prometheus checks anyway.
 */
export function referencedMetricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const match of bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const word = match[0];
    const before = bare[match.index - 1] ?? ' ';
    const after = bare.slice(match.index + word.length).trimStart()[0];
    if (after === '(' || KEYWORDS.has(word.toLowerCase()) || /[0-9.]/.test(before)) continue;
    names.add(word);
  }
  return [...names];
}
