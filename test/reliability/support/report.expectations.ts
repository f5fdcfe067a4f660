import { loadLedgerIntoTable } from '@evp/testing';
import type { ReliabilityStack } from './reliability.stack';

/** The parts of the three reports the suite recomputes on its own. */
export interface ReportFigures {
  events: { total: number; breakdown: Record<string, number> };
  revenue: {
    totalRevenue: string;
    transactions: number;
    bySource: Record<string, { revenue: string; transactions: number }>;
  };
  demographics: { facebook: { users: number; events: number }; tiktok: { users: number; events: number } };
}

interface RawEvent {
  source: string;
  funnelStage: string;
  eventType: string;
  data: { user: { userId: string }; engagement: { purchaseAmount?: unknown } };
}

/** The amount rule of shared/spec/EVENTS.md, written out again here so the check does not reuse the code it checks. */
const AMOUNT = /^\d{1,10}(\.\d{1,2})?$/;
const TRANSACTIONAL: Record<string, string> = { facebook: 'checkout.complete', tiktok: 'purchase' };

function cents(value: unknown): bigint | undefined {
  if (typeof value !== 'string' || !AMOUNT.test(value.trim())) return undefined;
  const [whole = '0', fraction = ''] = value.trim().split('.');
  return BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0'));
}

const money = (value: bigint): string => `${value / 100n}.${(value % 100n).toString().padStart(2, '0')}`;

/**
 * The three reports computed from the events as the publisher sent them (`events.raw`), for exactly the ids the
 * ledgers say were acknowledged: what the reporter must answer when each acknowledged event is stored once.
 */
export async function expectedFigures(stack: ReliabilityStack, ledgerPaths: readonly string[]): Promise<ReportFigures> {
  const table = `expect_${stack.names.id}`;
  const rows = await stack.withClient(async (client) => {
    await loadLedgerIntoTable(client, table, ledgerPaths);
    try {
      const { rows: found } = await client.query<{ raw: RawEvent }>(
        `SELECT e.raw FROM events e WHERE e.event_id IN (SELECT event_id FROM "${table}")`,
      );
      return found;
    } finally {
      await client.query(`DROP TABLE IF EXISTS "${table}"`);
    }
  });
  const breakdown: Record<string, number> = {};
  const revenue: Record<string, { cents: bigint; transactions: number }> = {
    facebook: { cents: 0n, transactions: 0 },
    tiktok: { cents: 0n, transactions: 0 },
  };
  const users: Record<string, Set<string>> = { facebook: new Set(), tiktok: new Set() };
  const events: Record<string, number> = { facebook: 0, tiktok: 0 };
  for (const { raw } of rows) {
    const key = `${raw.source}/${raw.funnelStage}/${raw.eventType}`;
    breakdown[key] = (breakdown[key] ?? 0) + 1;
    events[raw.source] = (events[raw.source] ?? 0) + 1;
    users[raw.source]?.add(raw.data.user.userId);
    const amount = TRANSACTIONAL[raw.source] === raw.eventType ? cents(raw.data.engagement.purchaseAmount) : undefined;
    const line = revenue[raw.source];
    if (amount !== undefined && line) {
      line.cents += amount;
      line.transactions += 1;
    }
  }
  const total = (revenue.facebook?.cents ?? 0n) + (revenue.tiktok?.cents ?? 0n);
  return {
    events: { total: rows.length, breakdown },
    revenue: {
      totalRevenue: money(total),
      transactions: (revenue.facebook?.transactions ?? 0) + (revenue.tiktok?.transactions ?? 0),
      bySource: Object.fromEntries(
        Object.entries(revenue).map(([source, line]) => [
          source,
          { revenue: money(line.cents), transactions: line.transactions },
        ]),
      ),
    },
    demographics: {
      facebook: { users: users.facebook?.size ?? 0, events: events.facebook ?? 0 },
      tiktok: { users: users.tiktok?.size ?? 0, events: events.tiktok ?? 0 },
    },
  };
}

interface EventsAnswer {
  total: number;
  breakdown: { source: string; funnelStage: string; eventType: string; count: number }[];
}
interface RevenueAnswer {
  totalRevenue: string;
  transactions: number;
  bySource: { source: string; revenue: string; transactions: number }[];
}
interface DemographicsAnswer {
  facebook: { users: number; events: number };
  tiktok: { users: number; events: number };
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

/** The same figures as the reporter answers them, over the whole time range. */
export async function reportedFigures(reporterUrl: string): Promise<ReportFigures> {
  const [events, revenue, demographics] = await Promise.all([
    getJson<EventsAnswer>(`${reporterUrl}/reports/events`),
    getJson<RevenueAnswer>(`${reporterUrl}/reports/revenue`),
    getJson<DemographicsAnswer>(`${reporterUrl}/reports/demographics`),
  ]);
  return {
    events: {
      total: events.total,
      breakdown: Object.fromEntries(
        events.breakdown
          .filter((line) => line.count > 0)
          .map((line) => [`${line.source}/${line.funnelStage}/${line.eventType}`, line.count]),
      ),
    },
    revenue: {
      totalRevenue: revenue.totalRevenue,
      transactions: revenue.transactions,
      bySource: Object.fromEntries(
        revenue.bySource.map((line) => [line.source, { revenue: line.revenue, transactions: line.transactions }]),
      ),
    },
    demographics: {
      facebook: { users: demographics.facebook.users, events: demographics.facebook.events },
      tiktok: { users: demographics.tiktok.users, events: demographics.tiktok.events },
    },
  };
}
