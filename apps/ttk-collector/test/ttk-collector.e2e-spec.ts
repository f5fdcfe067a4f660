import { type TiktokEvent, eventSubject } from '@evp/contracts';
import { amountToCents, centsToAmount, type DecimalAmount } from '@evp/database';
import { DEAD_LETTER_ORIGIN_HEADER, DEAD_LETTER_REASON_HEADER } from '@evp/messaging';
import { createTestDatabase, ServiceProcess, readStream } from '@evp/testing';
import { EventGenerator } from '@evp/synthetic';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildCollectorApp,
  type TestMessage,
  withExtraFields,
} from '../../../libs/collector/test/support/collector.harness';
import {
  type CollectorSuite,
  openCollectorSuite,
  publishAndDrain,
  startCollectorService,
  storedRows,
} from '../../../libs/collector/test/support/collector.suite';

/** What the row of a TikTok event must hold, worked out from the event itself and its fields outside the contract. */
function expectedRow(
  event: TiktokEvent,
  correlationId: string,
  extra: Record<string, unknown> | null,
): Record<string, unknown> {
  const { user } = event.data;
  const common = {
    event_id: event.eventId,
    occurred_at: new Date(event.timestamp),
    source: 'tiktok',
    funnel_stage: event.funnelStage,
    event_type: event.eventType,
    user_id: user.userId,
    user_name: user.username,
    followers: user.followers,
    age: null,
    gender: null,
    city: null,
    campaign_id: null,
    ad_id: null,
    browser: null,
    referrer: null,
    click_position: null,
    correlation_id: correlationId,
    extra,
  };
  if (event.funnelStage === 'top') {
    const { engagement } = event.data;
    return {
      ...common,
      watch_time: engagement.watchTime,
      percentage_watched: engagement.percentageWatched,
      device: engagement.device,
      country: engagement.country,
      video_id: engagement.videoId,
      action_time: null,
      profile_id: null,
      purchased_item: null,
      purchase_amount: null,
    };
  }
  const { engagement } = event.data;
  return {
    ...common,
    watch_time: null,
    percentage_watched: null,
    device: null,
    country: null,
    video_id: null,
    action_time: new Date(engagement.actionTime),
    profile_id: engagement.profileId,
    purchased_item: engagement.purchasedItem,
    // numeric(12,2) answers with two decimals
    purchase_amount:
      engagement.purchaseAmount === null
        ? null
        : centsToAmount(amountToCents(engagement.purchaseAmount as DecimalAmount)),
  };
}

describe('ttk-collector', () => {
  let suite: CollectorSuite;
  let service: ServiceProcess | undefined;

  beforeAll(async () => {
    buildCollectorApp('ttk-collector');
    suite = await openCollectorSuite('ttk-collector', await createTestDatabase());
    service = await startCollectorService('ttk-collector', suite, { BATCH_SIZE: '300' });
  });

  afterAll(async () => {
    await service?.stop();
    await suite?.close();
  });

  describe('when TikTok events of every type arrive, with repeats, fields outside the contract and one the table cannot hold', () => {
    it('should store each valid event once with its typed columns and extra fields and dead-letter the unstorable one', async () => {
      const subject = eventSubject('tiktok', suite.names.subjectPrefix);
      const generator = new EventGenerator({ seed: 71 });
      const events = Array.from({ length: 1_200 }, () => generator.tiktok());
      // Publishers add fields over time: the row keeps them in `extra`, so typed columns and extra give the event back.
      const extraOf = (index: number): Record<string, unknown> | null =>
        index % 10 === 0 ? { region: 'EU', data: { engagement: { sound: { id: `snd-${index}` } } } } : null;
      const messages: TestMessage[] = events.map((event, index) => {
        const extra = extraOf(index);
        return {
          subject,
          data: JSON.stringify(extra === null ? event : withExtraFields(event, extra)),
          correlationId: 'tiktok-request',
        };
      });
      for (let index = 0; index < events.length; index += 5) messages.push(messages[index]!);
      const celebrity = generator.tiktok('follow');
      celebrity.data.user.followers = 3_000_000_000;
      messages.push({
        subject,
        data: JSON.stringify(celebrity),
        msgId: celebrity.eventId,
        correlationId: 'tiktok-request',
      });
      await publishAndDrain(suite, messages);

      const rows = await storedRows(suite);
      expect(rows).toHaveLength(events.length);
      const byId = new Map(rows.map((row) => [row.event_id, row]));
      events.forEach((event, index) => {
        const row = byId.get(event.eventId);
        expect(row, event.eventType).toMatchObject(expectedRow(event, 'tiktok-request', extraOf(index)));
        // toMatchObject lets an object hold more than expected: `extra` must hold exactly the fields outside the
        // contract.
        expect(row?.extra, event.eventId).toEqual(extraOf(index));
      });
      const cents = events.reduce((sum, event) => {
        const amount = event.funnelStage === 'bottom' ? event.data.engagement.purchaseAmount : null;
        return amount === null ? sum : sum + amountToCents(amount as DecimalAmount);
      }, 0n);
      const { total } = (
        await suite.pool.query<{ total: string }>(
          `SELECT sum(purchase_amount)::text AS total FROM events WHERE event_type = 'purchase'`,
        )
      ).rows[0]!;
      expect(total).toBe(centsToAmount(cents));

      const [letter, ...others] = await readStream(suite.admin.jsm, suite.names.deadLetterStream);
      expect(others).toHaveLength(0);
      expect(letter?.header.get(DEAD_LETTER_ORIGIN_HEADER)).toBe('ttk-collector');
      expect(letter?.header.get(DEAD_LETTER_REASON_HEADER)).toBe(
        'invalid event: data.user.followers: must be at most 2147483647 (a PostgreSQL integer)',
      );
      expect(
        service!.logs.some(
          (line) =>
            line.level === 'warn' && line.eventId === celebrity.eventId && line.correlationId === 'tiktok-request',
        ),
      ).toBe(true);

      const readiness = await fetch(`${service!.url}/health/readiness`);
      expect(readiness.status).toBe(200);
      const metrics = await (await fetch(`${service!.url}/metrics`)).text();
      expect(metrics).toContain(
        'collector_events_failed_total{source="tiktok",reason="invalid",service="ttk-collector"} 1',
      );
      expect(metrics).toMatch(
        new RegExp(`collector_events_processed_total\\{source="tiktok",service="ttk-collector"\\} ${events.length}\\b`),
      );
    });
  });
});
