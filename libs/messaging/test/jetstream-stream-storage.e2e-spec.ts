import { uniqueNames } from '@evp/testing';
import { eventsStream, MessagingMetrics, PublishError } from '@evp/messaging';
import type { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AdminClient,
  encode,
  type JetStreamApp,
  observabilityStub,
  openAdmin,
  startJetStreamApp,
  suiteOptions,
} from './jetstream.harness';

const MEBIBYTE = 1024 * 1024;
const HOUR_MS = 3_600_000;
const NANOS_PER_MS = 1_000_000;

/** The value a gauge of the registry reports for one stream, as a scrape would read it. */
async function streamGauge(registry: Registry, metric: string, stream: string): Promise<number | undefined> {
  const gauge = registry.getSingleMetric(metric);
  if (gauge === undefined) throw new Error(`${metric} is not registered`);
  return (await gauge.get()).values.find((sample) => sample.labels.stream === stream)?.value;
}

describe(MessagingMetrics, () => {
  const names = uniqueNames('storage');
  const observability = observabilityStub();
  let admin: AdminClient;
  let app: JetStreamApp;

  beforeAll(async () => {
    admin = await openAdmin();
    app = await startJetStreamApp(
      suiteOptions(names, {
        streams: [eventsStream(names.stream, names.subjectPrefix, { maxBytes: MEBIBYTE, maxAgeMs: HOUR_MS })],
        deadLetter: {
          stream: names.deadLetterStream,
          subjectPrefix: names.deadLetterPrefix,
          maxBytes: MEBIBYTE / 2,
          maxAgeMs: 24 * HOUR_MS,
        },
      }),
      [],
      [observability.module],
    );
  });

  afterAll(async () => {
    await app?.context.close();
    await admin?.cleanUp(names);
  });

  describe('when the streams are declared with byte and age limits', () => {
    it('should provision the events and dead-letter streams with them', async () => {
      expect((await admin.jsm.streams.info(names.stream)).config).toMatchObject({
        max_bytes: MEBIBYTE,
        max_age: HOUR_MS * NANOS_PER_MS,
      });
      expect((await admin.jsm.streams.info(names.deadLetterStream)).config).toMatchObject({
        max_bytes: MEBIBYTE / 2,
        max_age: 24 * HOUR_MS * NANOS_PER_MS,
      });
    });
  });

  describe('when messages are stored', () => {
    beforeAll(async () => {
      await app.publisher.publishMany(
        ['a', 'b', 'c'].map((id) => ({
          subject: `${names.subjectPrefix}.facebook`,
          data: encode(`event ${id}`),
          msgId: `storage-${id}`,
        })),
      );
      await app.publisher.publishDeadLetter({
        origin: 'gateway',
        reason: 'invalid',
        originalSubject: `${names.subjectPrefix}.tiktok`,
        data: encode('not an event'),
      });
    });

    it("should report each stream's bytes and messages as the server counts them", async () => {
      for (const [stream, messages] of [
        [names.stream, 3],
        [names.deadLetterStream, 1],
      ] as const) {
        const { state } = await admin.jsm.streams.info(stream);
        expect(state.messages, stream).toBe(messages);
        await expect(streamGauge(observability.registry, 'messaging_stream_messages', stream)).resolves.toBe(messages);
        await expect(streamGauge(observability.registry, 'messaging_stream_bytes', stream)).resolves.toBe(state.bytes);
      }
      expect((await admin.jsm.streams.info(names.stream)).state.bytes).toBeGreaterThan(0);
    });

    it("should report each stream's byte limit, so an alert can compare the two", async () => {
      await expect(streamGauge(observability.registry, 'messaging_stream_max_bytes', names.stream)).resolves.toBe(
        MEBIBYTE,
      );
      await expect(
        streamGauge(observability.registry, 'messaging_stream_max_bytes', names.deadLetterStream),
      ).resolves.toBe(MEBIBYTE / 2);
    });
  });

  describe('when a message would take the stream past its byte limit', () => {
    it('should be refused, and the stored messages kept', async () => {
      const large = (id: string) => ({
        subject: `${names.subjectPrefix}.tiktok`,
        data: new Uint8Array(600 * 1024),
        msgId: `storage-large-${id}`,
      });
      await app.publisher.publish(large('1'));
      const error = await app.publisher.publish(large('2')).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(PublishError);
      expect(error).toMatchObject({ reason: 'rejected' });
      expect((await admin.jsm.streams.info(names.stream)).state.messages).toBe(4);
    });
  });
});
