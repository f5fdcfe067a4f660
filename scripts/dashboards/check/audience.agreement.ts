import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { loadCommittedDashboards, queriesOf } from '../dashboard.inspection';
import { type CheckedExpression } from './promql.checker';

/** A business-dashboard panel whose number `/reports/demographics` (no range) also gives, and where in the answer. */
const AGREEMENTS = [
  { panel: 'Facebook users, all time', source: 'facebook' },
  { panel: 'TikTok users, all time', source: 'tiktok' },
] as const;

interface DemographicsAnswer {
  facebook?: { users: number };
  tiktok?: { users: number };
}

/** Long enough for the collectors to commit what they hold once the publisher has stopped. */
const SETTLE_TIMEOUT_MS = 60_000;

/**
 * Proves the business dashboard's all-time audience panels and `GET /reports/demographics` give the same numbers:
 * runs each panel's SQL against the check's database and asks the reporter, once the pipeline has stopped taking
 * events (the publisher must be stopped: with events arriving the two reads would see different moments). A panel
 * read twice around the API call with the same result is a settled reading; until then, it retries.
 */
export async function checkAudienceAgreement(databaseUrl: string, reporterUrl: string): Promise<CheckedExpression[]> {
  const business = (await loadCommittedDashboards()).find(({ file }) => file === 'business.json');
  const sqlOf = (panel: string): string | undefined =>
    business === undefined ? undefined : queriesOf(business.dashboard).find((query) => query.panel === panel)?.query;
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const readPanel = async (sql: string): Promise<number> => {
      const { rows } = await client.query<{ users: string }>(sql);
      return Number(rows[0]?.users);
    };
    const readApi = async (): Promise<DemographicsAnswer> => {
      const response = await fetch(`${reporterUrl}/reports/demographics`);
      if (!response.ok) throw new Error(`GET /reports/demographics answered ${response.status}`);
      return (await response.json()) as DemographicsAnswer;
    };

    const checked: CheckedExpression[] = [];
    for (const { panel, source } of AGREEMENTS) {
      const title = `Event pipeline: business / ${panel} = /reports/demographics ${source}.users`;
      const sql = sqlOf(panel);
      if (sql === undefined) {
        checked.push({ title, query: '', series: undefined, sample: [], problem: 'no such panel in business.json' });
        continue;
      }
      const deadline = Date.now() + SETTLE_TIMEOUT_MS;
      let reading: { before: number; api: number | undefined; after: number };
      do {
        const before = await readPanel(sql);
        const api = (await readApi())[source]?.users;
        reading = { before, api, after: await readPanel(sql) };
        if (reading.before === reading.after) break;
        await sleep(1_000);
      } while (Date.now() < deadline);
      const { before, api, after } = reading;
      checked.push({
        title,
        query: sql,
        series: 1,
        sample: [`panel ${after}, API ${api ?? 'missing'}`],
        problem:
          before !== after
            ? `the panel kept changing for ${SETTLE_TIMEOUT_MS / 1000} s after the publisher stopped (${before} → ${after})`
            : api !== after
              ? `the panel says ${after}, the API ${api ?? 'nothing'}`
              : after === 0
                ? 'both say 0: the check stored no users, so it proves nothing'
                : undefined,
      });
    }
    return checked;
  } finally {
    await client.end();
  }
}
