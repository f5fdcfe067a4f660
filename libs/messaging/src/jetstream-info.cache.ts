import { Inject, Injectable } from '@nestjs/common';
import type { ConsumerInfo, StreamInfo } from '@nats-io/jetstream';
import { JetStreamConnection } from './jetstream.connection';
import { type JetStreamSettings } from './jetstream.settings';
import { JETSTREAM_SETTINGS } from './messaging.constants';

interface CacheEntry<T> {
  at: number;
  value: Promise<T>;
}

/**
 * Stream and consumer info shared by readiness checks and the pending gauge, reused for `infoCacheMs`, so
 * frequent probes and scrapes cost the server one API request per period.
 */
@Injectable()
export class JetStreamInfoCache {
  private readonly entries = new Map<string, CacheEntry<StreamInfo | ConsumerInfo>>();

  constructor(
    @Inject(JetStreamConnection) private readonly connection: JetStreamConnection,
    @Inject(JETSTREAM_SETTINGS) private readonly settings: JetStreamSettings,
  ) {}

  stream(name: string): Promise<StreamInfo> {
    return this.cached(`stream:${name}`, () => this.connection.jsm.streams.info(name)) as Promise<StreamInfo>;
  }

  consumer(stream: string, durable: string): Promise<ConsumerInfo> {
    return this.cached(`consumer:${stream}:${durable}`, () =>
      this.connection.jsm.consumers.info(stream, durable),
    ) as Promise<ConsumerInfo>;
  }

  private cached(key: string, load: () => Promise<StreamInfo | ConsumerInfo>): Promise<StreamInfo | ConsumerInfo> {
    const now = Date.now();
    const entry = this.entries.get(key);
    if (entry !== undefined && now - entry.at < this.settings.infoCacheMs) return entry.value;
    const value = load();
    this.entries.set(key, { at: now, value });
    // A failure is cached like a success: a server in trouble is not asked again on every probe.
    value.catch(() => undefined);
    return value;
  }
}
