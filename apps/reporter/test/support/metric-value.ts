/** The value of the first sample of `name` carrying every given label, in Prometheus text format; NaN when none. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  const line = text
    .split('\n')
    .find(
      (candidate) =>
        (candidate.startsWith(`${name}{`) || candidate.startsWith(`${name} `)) &&
        Object.entries(labels).every(([label, wanted]) => candidate.includes(`${label}="${wanted}"`)),
    );
  return Number(line?.split(' ').at(-1));
}
