import { type FacebookEvent, eventSubject } from '@evp/contracts';
import { amountToCents, centsToAmount, type DecimalAmount } from '@evp/database';
import { createTestDatabase, ServiceProcess, streamEventCount, streamMessageCount } from '@evp/testing';
import { EventGenerator } from '@evp/synthetic';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildCollectorApp,
  countRows,
  eventually,
  packedMessages,
  publishAll,
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

/** What the row of a Facebook event must hold, worked out from the event itself and its fields outside the contract. */
function expectedRow(
  event: FacebookEvent,
  correlationId: string,
  extra: Record<string, unknown> | null,
): Record<string, unknown> {
  const { user } = event.data;
  const common = {
    event_id: event.eventId,
    occurred_at: new Date(event.timestamp),
    source: 'facebook',
    funnel_stage: event.funnelStage,
    event_type: event.eventType,
    user_id: user.userId,
    user_name: user.name,
    age: user.age,
    gender: user.gender,
    country: user.location.country,
    city: user.location.city,
    followers: null,
    watch_time: null,
    percentage_watched: null,
    profile_id: null,
    purchased_item: null,
    correlation_id: correlationId,
    extra,
  };
  if (event.funnelStage === 'top') {
    const { engagement } = event.data;
    return {
      ...common,
      referrer: engagement.referrer,
      video_id: engagement.videoId,
      action_time: new Date(engagement.actionTime),
      campaign_id: null,
      ad_id: null,
      click_position: null,
      device: null,
      browser: null,
      purchase_amount: null,
    };
  }
  const { engagement } = event.data;
  return {
    ...common,
    referrer: null,
    video_id: null,
    action_time: null,
    campaign_id: engagement.campaignId,
    ad_id: engagement.adId,
    click_position: engagement.clickPosition,
    device: engagement.device,
    browser: engagement.browser,
    // numeric(12,2) answers with two decimals
    purchase_amount:
      engagement.purchaseAmount === null
        ? null
        : centsToAmount(amountToCents(engagement.purchaseAmount as DecimalAmount)),
  };
}

describe('fb-collector', () => {
  let suite: CollectorSuite;
  let service: ServiceProcess | undefined;
  let subject: string;

  beforeAll(async () => {
    buildCollectorApp('fb-collector');
    suite = await openCollectorSuite('fb-collector', await createTestDatabase());
    subject = eventSubject('facebook', suite.names.subjectPrefix);
    service = await startCollectorService('fb-collector', suite, { BATCH_SIZE: '500', ACK_WAIT_MS: '15000' });
  });

  afterAll(async () => {
    await service?.stop();
    await suite?.close();
  });

  describe('when Facebook events of every type arrive, some of them twice and some with fields outside the contract', () => {
    it('should store each once with every typed column from the event, its extra fields and the exact amount', async () => {
      const generator = new EventGenerator({ seed: 61 });
      const events = Array.from({ length: 1_400 }, () => generator.facebook());
      // Publishers add fields over time: the row keeps them in `extra`, so typed columns and extra give the event back.
      const extraOf = (index: number): Record<string, unknown> | null =>
        index % 10 === 0 ? { pixel: `px-${index}`, data: { user: { tier: 'gold' } } } : null;
      const messages: TestMessage[] = events.map((event, index) => {
        const extra = extraOf(index);
        return {
          subject,
          data: JSON.stringify(extra === null ? event : withExtraFields(event, extra)),
          correlationId: `request-${index % 3}`,
        };
      });
      for (let index = 0; index < events.length; index += 4) messages.push(messages[index]!);
      await publishAndDrain(suite, messages);

      const rows = await storedRows(suite);
      expect(rows).toHaveLength(events.length);
      const byId = new Map(rows.map((row) => [row.event_id, row]));
      events.forEach((event, index) => {
        const row = byId.get(event.eventId);
        expect(row, event.eventType).toMatchObject(expectedRow(event, `request-${index % 3}`, extraOf(index)));
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
          `SELECT sum(purchase_amount)::text AS total FROM events WHERE event_type = 'checkout.complete'`,
        )
      ).rows[0]!;
      expect(total).toBe(centsToAmount(cents));

      const metrics = await (await fetch(`${service!.url}/metrics`)).text();
      expect(metrics).toMatch(
        new RegExp(
          `collector_events_processed_total\\{source="facebook",service="fb-collector"\\} ${events.length}\\b`,
        ),
      );
      expect(metrics).toMatch(
        new RegExp(
          `collector_events_duplicate_total\\{source="facebook",service="fb-collector"\\} ${messages.length - events.length}\\b`,
        ),
      );
      expect(metrics).toContain('collector_consumer_pending{source="facebook",service="fb-collector"} 0');
      expect(
        service!.logs.some(
          (line) => line.correlationId === 'request-1' && /^stored \d+ events/.test(String(line.message)),
        ),
      ).toBe(true);
    });
  });

  describe('when it receives SIGTERM while working through a backlog', () => {
    it('should store and ack the batch in hand, exit 0, and leave the rest for the next start', async () => {
      // The backlog builds while the collector is down, so that it is still busy when the signal arrives.
      expect(await service!.stop('SIGTERM')).toBe(0);
      await suite.pool.query('TRUNCATE events, event_counts_minute, event_counts_hour, revenue_minute, revenue_hour');
      const generator = new EventGenerator({ seed: 62 });
      const events = Array.from({ length: 100_000 }, () => generator.facebook());
      await publishAll(
        suite.admin.js,
        packedMessages(subject, events, 200, { correlationId: 'backlog', msgIdPrefix: 'backlog' }),
      );
      service!.logs.length = 0;
      await service!.restart();
      await eventually(async () => (await countRows(suite.pool)) > 0, 60_000, 'the first batch stored');

      const code = await service!.stop('SIGTERM');
      expect(code, service!.tail()).toBe(0);
      expect(service!.logs.some((line) => line.message === 'stopped gracefully')).toBe(true);
      // Every event stored was acked and nothing unstored was acked: the work queue holds exactly the rest.
      const stored = await countRows(suite.pool);
      expect(stored).toBeLessThan(events.length);
      expect(stored).toBe(events.length - (await streamEventCount(suite.admin.jsm, suite.names.stream)));
      // At most the pull under way when consumption stopped: sent by the server, dropped by the stopped client,
      // it waits for ACK_WAIT_MS before it is delivered again.
      const consumer = await suite.admin.jsm.consumers.info(suite.names.stream, 'fb-collector');
      expect(consumer.num_ack_pending).toBeLessThanOrEqual(500);

      await service!.restart();
      await eventually(
        async () => (await streamMessageCount(suite.admin.jsm, suite.names.stream)) === 0,
        90_000,
        'the rest stored after the restart',
      );
      expect(await countRows(suite.pool)).toBe(events.length);
    }, 180_000);
  });
});
