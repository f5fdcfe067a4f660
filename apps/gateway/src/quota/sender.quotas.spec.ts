import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { type GatewayConfig } from '../gateway.config';
import { SenderQuotas, senderQuotasProvider } from './sender.quotas';

function quotas(eventsPerSecond: number, burstEvents: number) {
  const registry = new Registry();
  const clock = { now: 0 };
  return { registry, clock, quotas: new SenderQuotas({ eventsPerSecond, burstEvents }, registry, () => clock.now) };
}

describe(SenderQuotas, () => {
  describe('when a sender is over its quota', () => {
    it('should refuse it with the retry delay, and count it, while another sender is admitted', async () => {
      const { quotas: perSender, registry } = quotas(100, 1_000);
      perSender.charge('token-1', 1_500);
      expect(perSender.admit('token-1')).toEqual({
        sender: 'token-1',
        limit: 1_000,
        remaining: 0,
        retryAfterSeconds: 6,
      });
      expect(perSender.admit('token-2')).toBeUndefined();
      const throttled = await registry.getSingleMetric('gateway_requests_throttled_total')?.get();
      expect(throttled?.values).toEqual([{ labels: { sender: 'token-1' }, value: 1 }]);
    });
  });

  describe('when quotas are off (0)', () => {
    it('should admit every request whatever it was charged', () => {
      const { quotas: off } = quotas(0, 1_000);
      off.charge('anonymous', 1_000_000);
      expect(off.enabled).toBe(false);
      expect(off.admit('anonymous')).toBeUndefined();
    });
  });

  describe('when the debt is less than a second of rate', () => {
    it('should still ask for at least one second', () => {
      const { quotas: small } = quotas(1_000, 10);
      small.charge('anonymous', 10);
      expect(small.admit('anonymous')?.retryAfterSeconds).toBe(1);
    });
  });

  describe('when the gateway runs as several replicas (QUOTA_REPLICAS)', () => {
    it('should give each process its share of the rate and of the burst', () => {
      const config = {
        QUOTA_EVENTS_PER_SECOND: 50_000,
        QUOTA_BURST_EVENTS: 100_001,
        QUOTA_REPLICAS: 2,
      } as GatewayConfig;
      const shared = senderQuotasProvider.useFactory(config, new Registry()) as SenderQuotas;
      // The whole burst of this process (50,001) and 112,500 more: 4.5 s of debt at its 25,000 events a second.
      shared.charge('anonymous', 50_001 + 112_500);
      expect(shared.admit('anonymous')).toMatchObject({ limit: 50_001, remaining: 0, retryAfterSeconds: 5 });
    });
  });
});
