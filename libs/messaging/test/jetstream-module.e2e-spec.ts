import { freePort, uniqueNames } from '@evp/testing';
import {
  ConnectError,
  JetStreamModule,
  JetStreamPublisher,
  MessagingOptionsError,
  ProvisioningError,
} from '@evp/messaging';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AdminClient,
  encode,
  openAdmin,
  startJetStreamApp,
  suiteConsumer,
  suiteOptions,
} from './jetstream.harness';

const CONFIG = Symbol('CONFIG');

describe(JetStreamModule, () => {
  const names = uniqueNames('module');
  let admin: AdminClient;

  beforeAll(async () => {
    admin = await openAdmin();
  });

  afterAll(async () => {
    await admin?.cleanUp(names);
  });

  describe('when configured with forRootAsync from an injected provider', () => {
    it('should provision the declared stream and consumer and publish through them', async () => {
      @Module({
        providers: [
          {
            provide: CONFIG,
            useValue: suiteOptions(names, { consumers: [suiteConsumer(names, names.durable('async'))] }),
          },
        ],
        exports: [CONFIG],
      })
      class ConfigModule {}

      @Module({
        imports: [
          JetStreamModule.forRootAsync({
            imports: [ConfigModule],
            inject: [CONFIG],
            useFactory: (options: object) => options,
          }),
        ],
      })
      class AsyncAppModule {}

      const context = await NestFactory.createApplicationContext(AsyncAppModule, {
        logger: false,
        abortOnError: false,
      });
      try {
        await expect(
          context
            .get(JetStreamPublisher)
            .publish({ subject: `${names.subjectPrefix}.facebook`, data: encode('x'), msgId: 'async-1' }),
        ).resolves.toEqual({
          stored: 1,
          duplicates: 0,
        });
        const consumer = await admin.jsm.consumers.info(names.stream, names.durable('async'));
        expect(consumer.config).toMatchObject({ ack_policy: 'explicit', filter_subject: `${names.subjectPrefix}.>` });
        expect((await admin.jsm.streams.info(names.deadLetterStream)).config.retention).toBe('limits');
      } finally {
        await context.close();
      }
    });
  });

  describe('when the streams and consumers already exist', () => {
    it('should start again and apply changed limits in place', async () => {
      const options = suiteOptions(names, {
        consumers: [suiteConsumer(names, names.durable('async'), { maxDeliver: 3, ackWaitMs: 7_000 })],
      });
      options.streams = [{ name: names.stream, subjects: [`${names.subjectPrefix}.>`], duplicateWindowMs: 60_000 }];
      const app = await startJetStreamApp(options);
      await app.context.close();
      expect((await admin.jsm.streams.info(names.stream)).config.duplicate_window).toBe(60_000 * 1e6);
      expect((await admin.jsm.consumers.info(names.stream, names.durable('async'))).config.ack_wait).toBe(7_000 * 1e6);
    });
  });

  describe('when a stream exists with another retention policy', () => {
    it('should refuse to start with MESSAGING.PROVISIONING_FAILED', async () => {
      const options = suiteOptions(names);
      options.streams = [{ name: names.stream, subjects: [`${names.subjectPrefix}.>`], retention: 'limits' }];
      await expect(startJetStreamApp(options)).rejects.toThrow(ProvisioningError);
    });
  });

  describe('when an option is invalid', () => {
    it('should refuse to start with an error naming the option', async () => {
      const options = suiteOptions(names, { publishTimeoutMs: -1 });
      await expect(startJetStreamApp(options)).rejects.toThrow(MessagingOptionsError);
      await expect(startJetStreamApp(options)).rejects.toThrow(/publishTimeoutMs/);
    });
  });

  describe('when no NATS server answers', () => {
    it('should refuse to start with MESSAGING.CONNECT_FAILED naming the server', async () => {
      const url = `nats://127.0.0.1:${await freePort()}`;
      const failure = startJetStreamApp(suiteOptions(names, { servers: [url] }));
      await expect(failure).rejects.toThrow(ConnectError);
      await expect(failure).rejects.toThrow(url);
    });
  });
});
