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

/** A stored event as `events_as_received` gives it: ids as sent, the typed columns the reports count. */
interface StoredEvent {
  source: string;
  funnel_stage: string;
  event_type: string;
  user_id: string;
  /** numeric as text, exactly as stored; null when the purchase had no amount. */
  purchase_amount: string | null;
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
 * The three reports computed from the stored events' typed columns (through `events_as_received`, so user ids are
 * the text the publisher sent), for exactly the ids the ledgers say were acknowledged: what the reporter must answer
 * when each acknowledged event is stored once. Only the figures come from here; the reporter sums its rollups.
 */
export async function expectedFigures(stack: ReliabilityStack, ledgerPaths: readonly string[]): Promise<ReportFigures> {
  const table = `expect_${stack.names.id}`;
  const rows = await stack.withClient(async (client) => {
    await loadLedgerIntoTable(client, table, ledgerPaths);
    try {
      const { rows: found } = await client.query<StoredEvent>(
        `SELECT e.source, e.funnel_stage, e.event_type, e.user_id, e.purchase_amount::text AS purchase_amount
        FROM events_as_received e WHERE e.event_id IN (SELECT event_id FROM "${table}")`,
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
  for (const event of rows) {
    const key = `${event.source}/${event.funnel_stage}/${event.event_type}`;
    breakdown[key] = (breakdown[key] ?? 0) + 1;
    events[event.source] = (events[event.source] ?? 0) + 1;
    users[event.source]?.add(event.user_id);
    const amount = TRANSACTIONAL[event.source] === event.event_type ? cents(event.purchase_amount) : undefined;
    const line = revenue[event.source];
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
