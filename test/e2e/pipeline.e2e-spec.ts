import { SOURCES, type Source } from '@evp/contracts';
import { eventKeyOf, type StoredId } from '@evp/database';
import {
  type CorruptedEntry,
  type LedgerReconciliation,
  type MetricSample,
  PipelineSystem,
  type PublisherRun,
  SYSTEM_SERVICES,
  buildServicesOnce,
  metricSum,
  readCorruptedEntries,
  readLedgerIds,
  runPublisher,
  scrapeMetrics,
} from '@evp/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Range,
  STORED_ROWS_SQL,
  type StoredRow,
  demographics,
  eventCounts,
  inRange,
  revenue,
} from './support/independent.reports';

/** A few seconds of the emulator at a modest pace, with duplicates, reordering and many corruptions, seeded. */
const PUBLISHER_FLAGS = {
  mode: 'default',
  'interval-ms': 250,
  'batch-min': 200,
  'batch-max': 2_000,
  'duplicate-rate': 0.05,
  'jitter-ms': 180_000,
  'corruption-rate': 0.5,
  duration: '4s',
  seed: 20_261_122,
  'progress-interval-ms': 0,
  'log-requests': 'false',
  // Generous: on a busy machine a reply may take seconds, and an abandoned request would weaken every exact check.
  'request-timeout-ms': 60_000,
  'shutdown-timeout-ms': 60_000,
};

/**
 * What the corruptions that can leave an event valid add to it: a field its shape in the contract does not have (a
 * TikTok user's gender, a Facebook user's followers, ...), which the stored row must keep in `extra`. When the
 * field is one the shape has, the value makes the event invalid, so a valid event of these kinds always has it.
 */
const FOREIGN_FIELDS: Partial<Record<string, Record<string, unknown>>> = {
  'alien-gender': { data: { user: { gender: 'alien' } } },
  'followers-not-a-number': { data: { user: { followers: 'not-a-number' } } },
  'negative-watch-time': { data: { engagement: { watchTime: -1 } } },
  'negative-action-time': { data: { engagement: { actionTime: -1 } } },
};

interface ReportAnswer {
  total?: number;
  breakdown?: Array<{ source: string; funnelStage: string; eventType: string; count: number }>;
  [key: string]: unknown;
}

describe('PipelineSystem', () => {
  let system: PipelineSystem;
  let run: PublisherRun;
  let stored: number;
  let rows: StoredRow[];
  let corrupted: CorruptedEntry[];
  let reconciliation: LedgerReconciliation;

  beforeAll(async () => {
    buildServicesOnce();
    system = await PipelineSystem.start({ name: 'pipeline-e2e' });
    run = await runPublisher({ endpoint: system.webhookUrl, flags: PUBLISHER_FLAGS });
    stored = await system.waitUntilDrained({ timeoutMs: 60_000 });
    rows = await system.query<StoredRow & Record<string, unknown>>(STORED_ROWS_SQL);
    corrupted = await readCorruptedEntries(run.corruptedPath);
    reconciliation = await system.reconcile([run]);
  }, 240_000);

  afterAll(async () => {
    await system?.dispose();
  });

  async function report(path: string, range: Range = {}): Promise<ReportAnswer> {
    const query = new URLSearchParams();
    if (range.from !== undefined) query.set('from', new Date(range.from).toISOString());
    if (range.to !== undefined) query.set('to', new Date(range.to).toISOString());
    const response = await fetch(`${system.reporter.url}${path}?${query.toString()}`);
    expect(response.status, `${path} answered ${response.status}`).toBe(200);
    return (await response.json()) as ReportAnswer;
  }

  /** The whole stored range, and one whose edges fall inside minutes, so rollups and raw edges are both used. */
  function ranges(): Range[] {
    const times = rows.map((row) => row.occurredAtMs);
    const first = Math.min(...times);
    const last = Math.max(...times);
    return [{}, { from: first + 17_321, to: last - 11_747 }];
  }

  describe('when the emulator has sent batches with duplicates, reordering and corruptions', () => {
    it('should have had every request answered 2xx with duplicates and corruptions in the load', () => {
      expect(run.summary.requests.failed).toBe(0);
      expect(run.summary.requests.rejected).toBe(0);
      expect(run.summary.requests.succeeded).toBeGreaterThan(5);
      expect(run.summary.events.duplicates).toBeGreaterThan(0);
      expect(corrupted.filter((entry) => !entry.valid).length).toBeGreaterThan(0);
    });

    it('should store every acknowledged event id exactly once and nothing that was not sent', async () => {
      const ids = new Set(await readLedgerIds(run.ledgerPath));
      expect(reconciliation.acknowledgedIds).toBe(ids.size);
      expect(reconciliation.lost).toBe(0);
      expect(reconciliation.duplicated).toBe(0);
      expect(reconciliation.unexpected).toBe(0);
      expect(reconciliation.storedRows).toBe(ids.size);
      expect(stored).toBe(ids.size);
    });

    it('should key every stored event by its id as received', async () => {
      // The table holds uuid keys (and the id's text only when it is not canonical); the view gives the ids back.
      const keys = await system.query<{ key: string; text: string | null }>(
        'SELECT event_id::text AS key, event_id_text AS text FROM events',
      );
      const received = await system.query<{ event_id: string; source: Source }>(
        'SELECT event_id, source FROM events_as_received',
      );
      const byKey = (a: StoredId, b: StoredId) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
      expect(keys.sort(byKey)).toEqual(received.map((row) => eventKeyOf(row.event_id, row.source)).sort(byKey));
    });

    it('should keep the fields outside the contract of the events that came with some, and only those', async () => {
      const byId = (a: { event_id: string }, b: { event_id: string }) => (a.event_id < b.event_id ? -1 : 1);
      const stored = await system.query<{ event_id: string; extra: unknown }>(
        'SELECT event_id, extra FROM events_as_received WHERE extra IS NOT NULL',
      );
      const expected = corrupted
        .filter((entry) => entry.valid && entry.eventId !== undefined && FOREIGN_FIELDS[entry.kind] !== undefined)
        .map((entry) => ({ event_id: entry.eventId as string, extra: FOREIGN_FIELDS[entry.kind] }));
      expect(expected.length).toBeGreaterThan(0);
      expect(stored.sort(byId)).toEqual(expected.sort(byId));
    });

    it('should store none of the events the contract rejects', async () => {
      const rejectedIds = corrupted
        .filter((entry) => !entry.valid && entry.eventId !== undefined)
        .map((entry) => entry.eventId as string);
      const found = await system.query<{ event_id: string }>(
        'SELECT event_id FROM events_as_received WHERE event_id = ANY($1::text[])',
        [rejectedIds],
      );
      const validIds = new Set(await readLedgerIds(run.ledgerPath));
      // A rejected copy may share its id with a valid event sent as well; only ids never sent valid must be absent.
      expect(found.map((row) => row.event_id).filter((id) => !validIds.has(id))).toEqual([]);
    });

    it('should keep every rejected event in the dead-letter stream with its reason', async () => {
      const invalid = corrupted.filter((entry) => !entry.valid);
      const letters = (await system.deadLetters()).filter(
        (letter) => letter.headers['x-dead-letter-origin'] === 'gateway',
      );
      expect(letters).toHaveLength(invalid.length);
      for (const letter of letters) expect(letter.headers['x-dead-letter-reason']).toBeTruthy();
      const bodies = letters.map((letter) => letter.data);
      for (const entry of invalid.filter((candidate) => candidate.eventId !== undefined)) {
        expect(
          bodies.some((body) => body.includes(entry.eventId as string)),
          `dead letter of ${entry.eventId} (${entry.kind})`,
        ).toBe(true);
      }
    });
  });

  describe('when the reports are asked after the collectors drained', () => {
    it('should count events like the stored rows do', async () => {
      for (const range of ranges()) {
        const expected = eventCounts(inRange(rows, range));
        await expect
          .poll(async () => summariseEvents(await report('/reports/events', range)), { timeout: 15_000 })
          .toEqual(expected);
      }
    });

    it('should sum revenue like the raw purchase amounts do', async () => {
      for (const range of ranges()) {
        const expected = revenue(inRange(rows, range));
        await expect
          .poll(async () => pick(await report('/reports/revenue', range), Object.keys(expected)), { timeout: 15_000 })
          .toEqual(expected);
      }
    });

    it('should describe the users like the stored rows do', async () => {
      for (const range of ranges()) {
        const expected = demographics(inRange(rows, range));
        await expect
          .poll(async () => pick(await report('/reports/demographics', range), ['facebook', 'tiktok']), {
            timeout: 15_000,
          })
          .toEqual(expected);
      }
    });
  });

  describe('when the metrics are scraped', () => {
    let gateway: MetricSample[];
    let collectors: MetricSample[];

    beforeAll(async () => {
      gateway = await scrapeMetrics(system.gateway.url);
      collectors = (await Promise.all(SOURCES.map((source) => scrapeMetrics(system.collector(source).url)))).flat();
    });

    it('should count at the gateway what the emulator got acknowledged', () => {
      expect(metricSum(gateway, 'gateway_events_accepted_total')).toBe(reconciliation.acknowledgedLines);
      expect(metricSum(gateway, 'gateway_events_processed_total')).toBe(reconciliation.acknowledgedLines);
      expect(metricSum(gateway, 'gateway_events_failed_total', { reason: 'invalid' })).toBe(
        corrupted.filter((entry) => !entry.valid).length,
      );
      expect(metricSum(gateway, 'gateway_events_failed_total', { reason: 'publish_failed' })).toBe(0);
      expect(run.summary.events.replyAccepted).toBe(reconciliation.acknowledgedLines);
    });

    it('should count at the collectors every message of the stream, every event in them and every stored row', async () => {
      const streamMessages = await system.streamSequence();
      // Events travel packed, many to a message; the emulator repeats single events, never whole bodies, so no
      // message was a broker duplicate and every event the gateway had confirmed reached a collector once.
      expect(streamMessages).toBeLessThan(reconciliation.acknowledgedLines / 10);
      expect(metricSum(gateway, 'messaging_publish_duplicates_total')).toBe(0);
      expect(metricSum(collectors, 'collector_messages_received_total')).toBe(streamMessages);
      const events = metricSum(gateway, 'gateway_events_processed_total');
      expect(metricSum(collectors, 'collector_events_accepted_total')).toBe(events);
      expect(metricSum(collectors, 'collector_events_processed_total')).toBe(stored);
      expect(
        metricSum(collectors, 'collector_events_processed_total') +
          metricSum(collectors, 'collector_events_duplicate_total'),
      ).toBe(events);
      expect(metricSum(collectors, 'collector_events_failed_total')).toBe(0);
      expect(metricSum(collectors, 'collector_consumer_pending')).toBe(0);
      expect(metricSum(collectors, 'collector_consumer_pending_events')).toBe(0);
    });
  });

  describe('when every service gets SIGTERM', () => {
    it('should stop each one gracefully with exit code 0', async () => {
      const codes = await system.stop('SIGTERM');
      for (const service of SYSTEM_SERVICES) {
        expect(codes[service], `${service} exit code`).toBe(0);
        expect(
          system.service(service).logs.some((line) => line.message === 'stopped gracefully'),
          `${service} logged its graceful stop:\n${system.service(service).tail(5)}`,
        ).toBe(true);
      }
    });
  });
});

/** The events report reduced to what the independent count gives: the total and the non-zero breakdown entries. */
function summariseEvents(answer: ReportAnswer): { total: number; breakdown: Record<string, number> } {
  const breakdown: Record<string, number> = {};
  for (const entry of answer.breakdown ?? []) {
    if (entry.count > 0) breakdown[`${entry.source}/${entry.funnelStage}/${entry.eventType}`] = entry.count;
  }
  return { total: answer.total ?? -1, breakdown };
}

function pick(answer: ReportAnswer, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((key) => [key, answer[key]]));
}
