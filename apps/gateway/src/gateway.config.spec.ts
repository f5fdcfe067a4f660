import { describe, expect, it } from 'vitest';
import { loadGatewayConfig } from './gateway.config';

describe(loadGatewayConfig, () => {
  describe('when the environment is empty', () => {
    it('should pack 200 events a message, within 512 KiB', () => {
      expect(loadGatewayConfig({})).toMatchObject({ EVENTS_PER_MESSAGE: 200, MAX_MESSAGE_BYTES: 512 * 1024 });
    });
  });

  describe('when the packing variables are set', () => {
    it('should take valid values and name each bad one', () => {
      expect(loadGatewayConfig({ EVENTS_PER_MESSAGE: '50', MAX_MESSAGE_BYTES: '65536' })).toMatchObject({
        EVENTS_PER_MESSAGE: 50,
        MAX_MESSAGE_BYTES: 65_536,
      });
      expect(() => loadGatewayConfig({ EVENTS_PER_MESSAGE: '0' })).toThrow(/EVENTS_PER_MESSAGE/);
      expect(() => loadGatewayConfig({ EVENTS_PER_MESSAGE: '10001' })).toThrow(/EVENTS_PER_MESSAGE/);
      expect(() => loadGatewayConfig({ MAX_MESSAGE_BYTES: '100' })).toThrow(/MAX_MESSAGE_BYTES/);
    });
  });
});
