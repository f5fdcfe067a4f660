import { type Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { resolve } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { buildBusinessDashboard } from './business.dashboard';
import { buildPipelineDashboard } from './pipeline.dashboard';

/** Where Grafana's file provider (deploy/grafana/provisioning/dashboards) finds the generated dashboards. */
export const DASHBOARDS_DIR = resolve(__dirname, '../../deploy/grafana/dashboards');

/** Every provisioned dashboard: its file name under DASHBOARDS_DIR and the builder that produces it. */
export const DASHBOARDS: readonly { file: string; build: () => Dashboard }[] = [
  { file: 'pipeline.json', build: buildPipelineDashboard },
  { file: 'business.json', build: buildBusinessDashboard },
];

/** The committed form of a dashboard: JSON formatted by the repository's Prettier settings. */
export async function renderDashboard(dashboard: Dashboard, file: string): Promise<string> {
  const path = resolve(DASHBOARDS_DIR, file);
  const options = (await resolveConfig(path)) ?? {};
  return format(JSON.stringify(dashboard), { ...options, filepath: path });
}
