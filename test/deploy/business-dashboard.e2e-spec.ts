import {
  DemographicsIndexer,
  EventBatchWriter,
  type EventRow,
  IngestionCountsWriter,
  createDatabasePool,
  toDecimalAmount,
} from '@evp/database';
import { type TestDatabase, createTestDatabase } from '@evp/testing';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DashboardJson,
  loadCommittedDashboards,
  panelsOf,
  queriesOf,
} from '../../scripts/dashboards/dashboard.inspection';

/** The dashboard's template variables as the PostgreSQL datasource fills them in: every source, no campaign. */
const DEFAULT_VARIABLES = { source: "'facebook','tiktok'", campaign: '' };

/**
 * Grafana's time macros (`$__timeFilter(column)`, `$__timeFrom()`, `$__timeTo()`) and the template variables
 * (`$source`, a quoted list; `$campaign`, a bare value the SQL quotes) as the PostgreSQL datasource expands them.
 */
function expandMacros(sql: string, from: Date, to: Date, variables = DEFAULT_VARIABLES): string {
  return sql
    .replaceAll('$source', variables.source)
    .replaceAll('$campaign', variables.campaign.replaceAll("'", "''"))
    .replaceAll(
      /\$__timeFilter\((\w+)\)/g,
      (_, column: string) => `${column} BETWEEN '${from.toISOString()}' AND '${to.toISOString()}'`,
    )
    .replaceAll('$__timeFrom()', `'${from.toISOString()}'`)
    .replaceAll('$__timeTo()', `'${to.toISOString()}'`);
}

const minutesAgo = (minutes: number): string => new Date(Date.now() - minutes * 60_000).toISOString();

function facebookRow(index: number, overrides: Partial<EventRow>): EventRow {
  return {
    eventId: `fb-dashboard-${index}`,
    occurredAt: minutesAgo(index % 5),
    source: 'facebook',
    funnelStage: 'top',
    eventType: 'ad.view',
    userId: `fb-user-${index % 7}`,
    userName: 'Ada',
    age: 18 + ((index * 7) % 48),
    gender: ['male', 'female', 'non-binary'][index % 3],
    country: ['Norway', "Cote d'Ivoire", 'Virgin Islands, U.S.'][index % 3],
    city: 'Springfield',
    adId: 'ad-12345678',
    campaignId: `camp-${10000 + (index % 3)}`,
    ...overrides,
  };
}

function tiktokRow(index: number, overrides: Partial<EventRow>): EventRow {
  return {
    eventId: `ttk-dashboard-${index}`,
    occurredAt: minutesAgo(index % 5),
    source: 'tiktok',
    funnelStage: 'top',
    eventType: 'video.view',
    userId: `ttk-user-${index % 5}`,
    userName: 'Eliza92',
    followers: (index * 97_531) % 1_000_000,
    country: ['Japan', 'Brazil'][index % 2],
    device: ['iOS', 'Android', 'Desktop'][index % 3],
    videoId: 'vid-abcdefgh',
    ...overrides,
  };
}

describe('business dashboard (deploy/grafana/dashboards/business.json)', () => {
  let database: TestDatabase;
  let pool: Pool;
  let business: DashboardJson;
  const from = new Date(Date.now() - 60 * 60_000);
  const to = new Date(Date.now() + 60_000);

  beforeAll(async () => {
    database = await createTestDatabase();
    // The service's own pool factory: a connection cut when the database is dropped is logged, not an uncaught error.
    pool = createDatabasePool({ url: database.url, poolSize: 2, connectTimeoutMs: 5_000 });
    const rows: EventRow[] = [
      ...Array.from({ length: 30 }, (_, index) => facebookRow(index, {})),
      facebookRow(100, {
        funnelStage: 'bottom',
        eventType: 'checkout.complete',
        purchaseAmount: toDecimalAmount('120.50'),
      }),
      facebookRow(101, {
        funnelStage: 'bottom',
        eventType: 'checkout.complete',
        purchaseAmount: toDecimalAmount('10.00'),
      }),
      ...Array.from({ length: 20 }, (_, index) => tiktokRow(index, {})),
      tiktokRow(100, {
        funnelStage: 'bottom',
        eventType: 'purchase',
        purchaseAmount: toDecimalAmount('5.25'),
        device: null,
      }),
    ];
    await new EventBatchWriter(pool).write(rows);
    // The audience panels read the demographics read model, which the reporter's indexer keeps: fold the batch in.
    await new DemographicsIndexer(pool).drain(10);
    // What the gateway's records of two requests and one throttled request add up to.
    await new IngestionCountsWriter(pool).fold([
      { msgId: 'request-1', receivedAt: minutesAgo(2), source: 'facebook', outcome: 'accepted', reason: '', count: 32 },
      { msgId: 'request-1', receivedAt: minutesAgo(2), source: 'tiktok', outcome: 'accepted', reason: '', count: 21 },
      {
        msgId: 'request-1',
        receivedAt: minutesAgo(2),
        source: 'facebook',
        outcome: 'dead_lettered',
        reason: 'invalid',
        count: 2,
      },
      {
        msgId: 'request-2',
        receivedAt: minutesAgo(1),
        source: 'unknown',
        outcome: 'throttled',
        reason: 'anonymous',
        count: 1,
      },
    ]);
    business = (await loadCommittedDashboards()).find(({ file }) => file === 'business.json')!.dashboard;
  });

  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  const run = async (
    sql: string,
    variables = DEFAULT_VARIABLES,
  ): Promise<{ rows: Record<string, unknown>[]; fields: string[] }> => {
    const result = await pool.query<Record<string, unknown>>(expandMacros(sql, from, to, variables));
    return { rows: result.rows, fields: result.fields.map((field) => field.name) };
  };

  describe('when every SQL query runs against the migrated schema with stored events', () => {
    it('should return rows for each panel, with the columns its visualisation reads', async () => {
      const queries = queriesOf(business).filter((query) => query.language === 'sql');
      expect(queries.length).toBeGreaterThanOrEqual(10);
      for (const query of queries) {
        const panel = panelsOf(business).find((candidate) => candidate.id === query.panelId)!;
        const { rows, fields } = await run(query.query);
        expect(rows.length, query.panel).toBeGreaterThan(0);
        const format = (panel.targets ?? []).find((target) => target.refId === query.refId) as { format?: string };
        if (format.format === 'time_series') expect(fields, query.panel).toContain('time');
        const xField = (panel as { options?: { xField?: string } }).options?.xField;
        if (xField !== undefined) expect(fields, query.panel).toContain(xField);
      }
    });
  });

  describe('when the revenue figures are read', () => {
    const sqlOf = (title: string): string => queriesOf(business).find((query) => query.panel === title)!.query;

    it('should sum the transactional events exactly', async () => {
      const revenue = await run(sqlOf('Revenue'));
      const transactions = await run(sqlOf('Transactions'));
      const average = await run(sqlOf('Average order value'));
      expect(String(revenue.rows[0]!.revenue)).toBe('135.75');
      expect(Number(transactions.rows[0]!.transactions)).toBe(3);
      expect(Number(average.rows[0]!.average_order_value)).toBeCloseTo(45.25, 2);
    });

    it('should rank Facebook campaigns only', async () => {
      const { rows } = await run(sqlOf('Top campaigns by revenue'));
      expect(rows.map((row) => row.campaign)).toEqual(['camp-10001', 'camp-10002']);
    });

    it('should narrow revenue to the chosen source and campaign', async () => {
      const tiktok = await run(sqlOf('Revenue'), { source: "'tiktok'", campaign: '' });
      expect(String(tiktok.rows[0]!.revenue)).toBe('5.25');
      const campaign = await run(sqlOf('Revenue'), { ...DEFAULT_VARIABLES, campaign: 'camp-10002' });
      expect(String(campaign.rows[0]!.revenue)).toBe('10.00');
      const quoted = await run(sqlOf('Revenue'), { ...DEFAULT_VARIABLES, campaign: "x' OR '1'='1" });
      expect(String(quoted.rows[0]!.revenue)).toBe('0');
    });

    it('should divide bottom-of-funnel events by top-of-funnel events for the conversion', async () => {
      const { rows } = await run(sqlOf('Funnel conversion'));
      // 3 purchases over 50 views (30 Facebook, 20 TikTok).
      expect(Number(rows[0]!.conversion)).toBeCloseTo(3 / 50, 6);
    });
  });

  describe('when the audience figures are read', () => {
    const usersOf = async (title: string): Promise<number> => {
      const { rows } = await run(queriesOf(business).find((query) => query.panel === title)!.query);
      return rows.reduce((sum, row) => sum + Number(row.users), 0);
    };

    it('should count each user of the range once, by the attributes of their first event in it', async () => {
      // 7 Facebook users (fb-user-0..6) and 5 TikTok users (ttk-user-0..4), each with several events of different
      // genders, ages, follower counts or devices: counting per event or per value would give more.
      expect(await usersOf('Facebook users by gender')).toBe(7);
      expect(await usersOf('Facebook users by age group')).toBe(7);
      expect(await usersOf('TikTok users by followers')).toBe(5);
      expect(await usersOf('TikTok users by device')).toBe(5);
    });

    it('should count all-time users from the read model as /reports/demographics does', async () => {
      expect(await usersOf('Facebook users, all time')).toBe(7);
      expect(await usersOf('TikTok users, all time')).toBe(5);
    });
  });

  describe('when the ingestion counts are read', () => {
    it('should sum each outcome and reason, throttled requests whatever the sources', async () => {
      const sql = queriesOf(business).find((query) => query.panel === 'What became of what senders sent')!.query;
      const totals = async (source: string) => {
        const { rows } = await run(sql, { ...DEFAULT_VARIABLES, source });
        const sums: Record<string, number> = {};
        for (const row of rows) sums[String(row.outcome)] = (sums[String(row.outcome)] ?? 0) + Number(row.count);
        return sums;
      };
      expect(await totals(DEFAULT_VARIABLES.source)).toEqual({
        accepted: 53,
        'dead_lettered invalid': 2,
        throttled: 1,
      });
      expect(await totals("'tiktok'")).toEqual({ accepted: 21, throttled: 1 });
    });
  });

  describe('when the event counts are read', () => {
    it('should count every stored event once', async () => {
      const { rows } = await run(queriesOf(business).find((query) => query.panel === 'Events stored')!.query);
      expect(Number(rows[0]!.events)).toBe(53);
    });
  });
});
