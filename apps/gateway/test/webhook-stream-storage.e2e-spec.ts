import { streamEventCount } from '@evp/testing';
import { EventGenerator, corruptEvent } from '@evp/synthetic';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookController } from '../src/intake/webhook.controller';
import {
  type TestGateway,
  batchBody,
  eventually,
  metricValue,
  parseMetrics,
  postWebhook,
  startTestGateway,
} from './gateway.harness';

const MEBIBYTE = 1024 * 1024;
const NANOS_PER_MS = 1_000_000;

describe(WebhookController, () => {
  describe('when the stream limits are set in the environment', () => {
    const generator = new EventGenerator({ seed: 1515 });
    let gateway: TestGateway;

    beforeAll(async () => {
      gateway = await startTestGateway({
        EVENTS_STREAM_MAX_BYTES: String(8 * MEBIBYTE),
        EVENTS_STREAM_MAX_AGE_MS: '3600000',
        DEAD_LETTER_STREAM_MAX_BYTES: String(MEBIBYTE),
        DEAD_LETTER_STREAM_MAX_AGE_MS: '86400000',
      });
      const batch = [
        ...Array.from({ length: 5 }, () => generator.next()),
        corruptEvent(generator.facebook(), 'missing-event-id'),
      ];
      expect((await postWebhook(gateway.url, batchBody(batch))).body).toMatchObject({ accepted: 5, rejected: 1 });
    });

    afterAll(async () => {
      await gateway?.dispose();
    });

    it('should provision the events and dead-letter streams with them', async () => {
      expect((await gateway.jsm.streams.info(gateway.names.stream)).config).toMatchObject({
        max_bytes: 8 * MEBIBYTE,
        max_age: 3_600_000 * NANOS_PER_MS,
      });
      expect((await gateway.jsm.streams.info(gateway.names.deadLetterStream)).config).toMatchObject({
        max_bytes: MEBIBYTE,
        max_age: 86_400_000 * NANOS_PER_MS,
      });
    });

    it("should export each stream's bytes, messages and byte limit on /metrics", async () => {
      for (const [stream, events, maxBytes] of [
        [gateway.names.stream, 5, 8 * MEBIBYTE],
        [gateway.names.deadLetterStream, 1, MEBIBYTE],
      ] as const) {
        const { state } = await gateway.jsm.streams.info(stream);
        expect(await streamEventCount(gateway.jsm, stream), stream).toBe(events);
        // The gauges read stream info cached for a couple of seconds, so the first scrape may predate the batch.
        await eventually(
          async () => {
            const samples = parseMetrics(await (await fetch(`${gateway.url}/metrics`)).text());
            return (
              metricValue(samples, 'messaging_stream_messages', { stream }) === state.messages &&
              metricValue(samples, 'messaging_stream_bytes', { stream }) === state.bytes &&
              metricValue(samples, 'messaging_stream_max_bytes', { stream }) === maxBytes
            );
          },
          10_000,
          `the stream gauges of ${stream}`,
        );
      }
    });
  });
});
