import { uniqueNames } from '@evp/testing';
import { JetStreamPublisher, type OutgoingMessage, PublishError } from '@evp/messaging';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AdminClient,
  encode,
  type JetStreamApp,
  openAdmin,
  startJetStreamApp,
  suiteOptions,
} from './jetstream.harness';

describe(JetStreamPublisher, () => {
  const names = uniqueNames('publisher');
  let app: JetStreamApp;
  let admin: AdminClient;

  beforeAll(async () => {
    admin = await openAdmin();
    app = await startJetStreamApp(
      suiteOptions(names, {
        streams: [
          { name: names.stream, subjects: [`${names.subjectPrefix}.>`], retention: 'workqueue' },
          // A tiny stream that refuses publishes once full (discard new).
          { name: `${names.stream}_FULL`, subjects: [`${names.subjectPrefix}-full.>`], maxBytes: 2_048 },
        ],
        inFlightWindow: 500,
        publishTimeoutMs: 1_000,
      }),
    );
  });

  afterAll(async () => {
    await app?.lifecycle.close();
    await app?.context.close();
    await admin?.jsm.streams.delete(`${names.stream}_FULL`).catch(() => undefined);
    await admin?.cleanUp(names);
  });

  const messages = (count: number, run: string): OutgoingMessage[] =>
    Array.from({ length: count }, (_, index) => ({
      subject: `${names.subjectPrefix}.${index % 2 === 0 ? 'facebook' : 'tiktok'}`,
      data: encode(JSON.stringify({ index, run })),
      msgId: `${run}-${index}`,
      correlationId: `corr-${run}`,
    }));

  describe('when every message is new', () => {
    it('should confirm each one as stored, across many in-flight windows', async () => {
      const before = (await admin.jsm.streams.info(names.stream)).state.messages;
      const report = await app.publisher.publishMany(messages(5_000, 'new'));
      expect(report).toEqual({ stored: 5_000, duplicates: 0 });
      expect((await admin.jsm.streams.info(names.stream)).state.messages).toBe(before + 5_000);
    });

    it('should count stored messages per subject in messaging_published_total', async () => {
      await app.publisher.publishMany(messages(10, 'metric'));
      const metric = await app.metrics.published.get();
      const bySubject = Object.fromEntries(metric.values.map((value) => [value.labels.subject, value.value]));
      expect(bySubject[`${names.subjectPrefix}.facebook`]).toBeGreaterThanOrEqual(5);
      expect(bySubject[`${names.subjectPrefix}.tiktok`]).toBeGreaterThanOrEqual(5);
    });
  });

  describe('when the same message id is published twice', () => {
    it('should store it once and count the second as a duplicate', async () => {
      const before = (await admin.jsm.streams.info(names.stream)).state.messages;
      const duplicatesBefore = (await app.metrics.publishDuplicates.get()).values[0]?.value ?? 0;
      const [message] = messages(1, 'twice') as [OutgoingMessage];

      const first = await app.publisher.publishMany([message]);
      const second = await app.publisher.publishMany([message, { ...message, data: encode('a different body') }]);

      expect(first).toEqual({ stored: 1, duplicates: 0 });
      expect(second).toEqual({ stored: 0, duplicates: 2 });
      expect((await admin.jsm.streams.info(names.stream)).state.messages).toBe(before + 1);
      expect((await app.metrics.publishDuplicates.get()).values[0]?.value).toBe(duplicatesBefore + 2);
    });
  });

  describe('when no stream binds the subject', () => {
    it('should fail with MESSAGING.PUBLISH_FAILED and reason no-responders', async () => {
      const error = await app.publisher
        .publishMany([{ subject: `nowhere.${names.id}`, data: encode('x') }])
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PublishError);
      expect(error).toMatchObject({ code: 'MESSAGING.PUBLISH_FAILED', reason: 'no-responders', confirmed: 0 });
    });
  });

  describe('when the stream is full', () => {
    it('should fail with reason rejected and say how many were confirmed first', async () => {
      const body = encode('y'.repeat(400));
      const batch = Array.from({ length: 20 }, (_, index) => ({
        subject: `${names.subjectPrefix}-full.a`,
        data: body,
        msgId: `full-${index}`,
      }));
      const error = await app.publisher.publishMany(batch, { window: 1 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PublishError);
      const publishError = error as PublishError;
      expect(publishError).toMatchObject({ code: 'MESSAGING.PUBLISH_FAILED', reason: 'rejected' });
      expect(publishError.message).toMatch(/maximum bytes/);
      const stored = (await admin.jsm.streams.info(`${names.stream}_FULL`)).state.messages;
      expect(publishError.confirmed).toBe(stored);
      expect(stored).toBeGreaterThan(0);
    });
  });

  describe('when something listens on the subject but never answers', () => {
    it('should fail with MESSAGING.PUBLISH_TIMEOUT', async () => {
      const silent = admin.nc.subscribe(`silent.${names.id}`, { callback: () => undefined });
      await admin.nc.flush();
      try {
        const error = await app.publisher
          .publishMany([{ subject: `silent.${names.id}`, data: encode('x') }], { timeoutMs: 300 })
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(PublishError);
        expect(error).toMatchObject({ code: 'MESSAGING.PUBLISH_TIMEOUT', reason: 'timeout', confirmed: 0 });
      } finally {
        silent.unsubscribe();
      }
    });
  });

  describe('when a header value cannot travel in NATS', () => {
    it('should refuse the batch with reason invalid-message', async () => {
      const error = await app.publisher
        .publishMany([
          { subject: `${names.subjectPrefix}.facebook`, data: encode('x'), headers: { 'x-bad': 'line\r\nbreak' } },
        ])
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PublishError);
      expect(error).toMatchObject({ code: 'MESSAGING.PUBLISH_FAILED', reason: 'invalid-message' });
    });
  });

  describe('when a payload is larger than the server accepts', () => {
    it('should refuse the batch with reason invalid-message, naming the message', async () => {
      const tooLarge = new Uint8Array(2 * 1024 * 1024);
      const error = await app.publisher
        .publishMany([
          { subject: `${names.subjectPrefix}.facebook`, data: encode('fine'), msgId: 'large-0' },
          { subject: `${names.subjectPrefix}.facebook`, data: tooLarge, msgId: 'large-1' },
        ])
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PublishError);
      expect(error).toMatchObject({ code: 'MESSAGING.PUBLISH_FAILED', reason: 'invalid-message' });
      expect((error as PublishError).message).toContain('message 1');
    });
  });

  describe('when given no messages', () => {
    it('should resolve with nothing stored', async () => {
      await expect(app.publisher.publishMany([])).resolves.toEqual({ stored: 0, duplicates: 0 });
    });
  });
});
