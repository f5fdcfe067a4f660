import { backfillSubject, eventSubject } from '@evp/contracts';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { EventGenerator } from '@evp/synthetic';
import {
  INGEST_TO_STORED_SECONDS,
  PipelineSystem,
  buildServicesOnce,
  histogramOf,
  metricSum,
  scrapeMetrics,
} from '@evp/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const HOUR_MS = 3_600_000;
const BACKFILL_EVENTS = 400;
const LIVE_EVENTS = 60;
/**
 * 20 events a second: the backfill of 400 events takes some 20 s to drain, while the live events sent after it are
 * stored within the first pulls. The test waits for the live rows, then checks that backfill is still queued.
 */
const BACKFILL_RATE = 20;

interface StoredRow extends Record<string, unknown> {
  event_id: string;
  received_at: Date | null;
}

async function post(url: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('received time, future timestamps and the backfill lane', () => {
  let system: PipelineSystem;
  const now = Date.now();
  let minute = 0;
  const history = new EventGenerator({ seed: 2_212, clock: () => now - 7 * 24 * HOUR_MS + minute++ * 60_000 });
  // A week of history re-sent, then events of now, and one event dated two days ahead (a wrong client clock).
  const backfill = Array.from({ length: BACKFILL_EVENTS }, () => history.facebook());
  const today = new EventGenerator({ seed: 2_213 });
  const live = Array.from({ length: LIVE_EVENTS }, () => today.facebook());
  const future = new EventGenerator({ seed: 2_214, clock: () => now + 48 * HOUR_MS }).facebook();
  let liveSentAt: number;
  let liveAnsweredAt: number;
  let backfillStoredWhenLiveWas: number;
  let subjectsWhenLiveWas: Record<string, number>;

  const storedIds = async (ids: readonly string[]): Promise<StoredRow[]> =>
    system.query<StoredRow>('SELECT event_id, received_at FROM events_as_received WHERE event_id = ANY($1)', [ids]);

  beforeAll(async () => {
    buildServicesOnce();
    system = await PipelineSystem.start({
      name: 'lanes-e2e',
      serviceEnv: {
        gateway: { EVENTS_PER_MESSAGE: '10' },
        'fb-collector': { BACKFILL_MAX_EVENTS_PER_SECOND: String(BACKFILL_RATE) },
      },
    });
    expect((await post(system.webhookUrl, backfill)).status).toBe(202);
    liveSentAt = Date.now();
    const answer = await post(system.webhookUrl, [...live, future]);
    liveAnsweredAt = Date.now();
    expect(answer.status).toBe(202);
    expect(answer.json).toMatchObject({ accepted: LIVE_EVENTS, rejected: 1 });

    const liveIds = live.map((event) => event.eventId);
    for (;;) {
      if ((await storedIds(liveIds)).length === LIVE_EVENTS) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    backfillStoredWhenLiveWas = (await storedIds(backfill.map((event) => event.eventId))).length;
    subjectsWhenLiveWas = await streamSubjects(system);
  }, 120_000);

  afterAll(async () => {
    await system?.dispose();
  });

  describe('when a week of history is sent before live events', () => {
    it('should queue the history on the backfill subject only', () => {
      const subjects = Object.keys(subjectsWhenLiveWas);
      expect(subjects).toEqual([backfillSubject('facebook', system.names.subjectPrefix)]);
      expect(subjects).not.toContain(eventSubject('facebook', system.names.subjectPrefix));
    });

    it('should store the live events while the history is still being drained', () => {
      expect(backfillStoredWhenLiveWas).toBeLessThan(BACKFILL_EVENTS);
    });

    it('should store every event of the history exactly once in the end', async () => {
      await system.waitUntilDrained({ timeoutMs: 90_000 });
      const rows = await storedIds(backfill.map((event) => event.eventId));
      expect(rows).toHaveLength(BACKFILL_EVENTS);
      expect(new Set(rows.map((row) => row.event_id)).size).toBe(BACKFILL_EVENTS);

      const again = await post(system.webhookUrl, backfill);
      expect(again.status).toBe(202);
      await system.waitUntilDrained({ timeoutMs: 90_000 });
      expect(await storedIds(backfill.map((event) => event.eventId))).toHaveLength(BACKFILL_EVENTS);
    }, 200_000);
  });

  describe('when events are stored', () => {
    it('should keep the time the gateway received them', async () => {
      const rows = await storedIds(live.map((event) => event.eventId));
      for (const row of rows) {
        const receivedAt = row.received_at?.getTime() ?? Number.NaN;
        expect(receivedAt).toBeGreaterThanOrEqual(liveSentAt);
        expect(receivedAt).toBeLessThanOrEqual(liveAnsweredAt);
      }
    });

    it('should observe their ingest-to-stored seconds per lane', async () => {
      await system.waitUntilDrained({ timeoutMs: 90_000 });
      const samples = await scrapeMetrics(system.collector('facebook').url);
      expect(histogramOf(samples, INGEST_TO_STORED_SECONDS, { lane: 'live' }).count).toBe(LIVE_EVENTS);
      // The history was sent twice, but the second body packed into the same messages, dropped by the broker.
      expect(histogramOf(samples, INGEST_TO_STORED_SECONDS, { lane: 'backfill' }).count).toBe(BACKFILL_EVENTS);
    }, 120_000);
  });

  describe('when an event is dated more than MAX_FUTURE_SKEW ahead', () => {
    it('should dead-letter it with reason future_timestamp instead of storing it', async () => {
      expect(await storedIds([future.eventId])).toEqual([]);
      const letters = (await system.deadLetters()).filter((letter) => letter.data.includes(future.eventId));
      expect(letters).toHaveLength(1);
      expect(letters[0]?.headers['x-dead-letter-reason']).toContain('future_timestamp');
    });

    it('should count it under gateway_events_failed_total{reason="future_timestamp"}', async () => {
      const samples = await scrapeMetrics(system.gateway.url);
      expect(
        metricSum(samples, 'gateway_events_failed_total', { source: 'facebook', reason: 'future_timestamp' }),
      ).toBe(1);
      expect(metricSum(samples, 'gateway_events_failed_total', { reason: 'invalid' })).toBe(0);
    });
  });
});

/** Messages the events stream holds now, per subject (a work queue: what the collectors have not acked yet). */
async function streamSubjects(system: PipelineSystem): Promise<Record<string, number>> {
  const nc = await connect({ servers: system.natsUrl });
  try {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(system.names.stream, { subjects_filter: '>' });
    return info.state.subjects ?? {};
  } finally {
    await nc.close();
  }
}
