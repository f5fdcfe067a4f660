import { type CheckedExpression } from './promql.checker';

/** One line per expression: verdict, series count, title; then the query as sent and a few returned values. */
export function formatChecked(checked: CheckedExpression): string[] {
  const verdict = checked.problem === undefined ? 'PASS' : 'FAIL';
  const series = checked.series === undefined ? 'error   ' : `${String(checked.series).padStart(2)} series`;
  const lines = [`  ${verdict}  ${series}  ${checked.title}${checked.problem ? `: ${checked.problem}` : ''}`];
  if (checked.warning) lines.push(`        WARNING: ${checked.warning}`);
  lines.push(`        ${oneLine(checked.query)}`);
  for (const sample of checked.sample) lines.push(`          → ${sample}`);
  return lines;
}

/** Multi-line YAML expressions, printed on one line. */
export function oneLine(query: string): string {
  return query.replace(/\s+/g, ' ').trim();
}

export interface CheckSummary {
  panels: readonly CheckedExpression[];
  rules: readonly CheckedExpression[];
  /** Business-dashboard panels compared with the reports API. @default [] */
  agreements?: readonly CheckedExpression[];
  sqlQueries: number;
  /** Problems outside the queries: start-up, shutdown, clean-up. */
  runProblems: readonly string[];
}

/** The closing summary; `failed` says whether the check exits non-zero. */
export function formatSummary(summary: CheckSummary): { lines: string[]; failed: boolean } {
  const failedPanels = summary.panels.filter((checked) => checked.problem !== undefined);
  const failedRules = summary.rules.filter((checked) => checked.problem !== undefined);
  const agreements = summary.agreements ?? [];
  const failedAgreements = agreements.filter((checked) => checked.problem !== undefined);
  const problems = [
    ...failedPanels.map((checked) => `panel ${checked.title}: ${checked.problem}`),
    ...failedRules.map((checked) => `rule ${checked.title}: ${checked.problem}`),
    ...failedAgreements.map((checked) => `${checked.title}: ${checked.problem}`),
    ...summary.runProblems,
  ];
  const warnings = [...summary.panels, ...summary.rules]
    .filter((checked) => checked.warning !== undefined)
    .map((checked) => `${checked.title}: ${checked.warning}`);
  const lines = [
    `  dashboard PromQL queries: ${summary.panels.length}, with data: ${summary.panels.length - failedPanels.length}, failing: ${failedPanels.length}`,
    `  (the ${summary.sqlQueries} SQL queries of the business dashboard are checked by test/deploy/business-dashboard.e2e-spec.ts)`,
    `  alert rule expressions: ${summary.rules.length}, evaluated without error: ${summary.rules.length - failedRules.length}, failing: ${failedRules.length}`,
    `  business panels compared with the reports API: ${agreements.length}, agreeing: ${agreements.length - failedAgreements.length}`,
  ];
  if (warnings.length > 0) {
    lines.push(`  warnings (do not fail the check): ${warnings.length}`);
    for (const warning of warnings) lines.push(`    - ${warning}`);
  }
  const nothingChecked = summary.panels.length === 0 || summary.rules.length === 0;
  if (nothingChecked) problems.push('no dashboard queries or no alert rules were found to check');
  if (problems.length === 0) {
    lines.push('  RESULT: PASS');
  } else {
    lines.push(`  RESULT: FAIL (${problems.length} problem${problems.length === 1 ? '' : 's'})`);
    for (const problem of problems) lines.push(`    - ${problem}`);
  }
  return { lines, failed: problems.length > 0 };
}
