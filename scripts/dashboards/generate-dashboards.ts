// Writes the Grafana dashboards built in scripts/dashboards to deploy/grafana/dashboards (npm run dashboards:generate).
// The JSON is committed; scripts/dashboards/dashboards.spec.ts fails when it no longer matches the builders.
import { exitWithUsageOnHelp } from '@evp/config';
import { mkdir, writeFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { DASHBOARDS, DASHBOARDS_DIR, renderDashboard } from './dashboards.catalog';

const USAGE = `Usage: npm run dashboards:generate
  Writes the Grafana dashboards built in scripts/dashboards to deploy/grafana/dashboards (committed JSON).`;

async function main(): Promise<void> {
  exitWithUsageOnHelp(USAGE);
  await mkdir(DASHBOARDS_DIR, { recursive: true });
  for (const { file, build } of DASHBOARDS) {
    const path = resolve(DASHBOARDS_DIR, file);
    await writeFile(path, await renderDashboard(build(), file));
    console.log(`wrote ${relative(process.cwd(), path)}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
