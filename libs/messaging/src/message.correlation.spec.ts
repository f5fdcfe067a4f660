import { currentCorrelation } from '@evp/observability';
import { describe, expect, it } from 'vitest';
import type { ConsumedMessage } from './jetstream.types';
import { forEachCorrelation, sharedCorrelationId, withMessageCorrelation } from './message.correlation';

function message(correlationId: string | undefined, msgId: string): ConsumedMessage {
  return {
    subject: 'events.facebook',
    data: new Uint8Array(),
    msgId,
    correlationId,
    headers: {},
    deliveryCount: 1,
    streamSequence: 1,
  };
}

describe(forEachCorrelation, () => {
  describe('when a batch mixes messages of several requests', () => {
    it('should run once per correlation id, in first-seen order, inside that id scope', async () => {
      const batch = [message('a', '1'), message('b', '2'), message('a', '3'), message(undefined, '4')];
      const seen = await forEachCorrelation(batch, (group, correlationId) =>
        Promise.resolve({ correlationId, scope: currentCorrelation()?.correlationId, ids: group.map((m) => m.msgId) }),
      );
      expect(seen).toEqual([
        { correlationId: 'a', scope: 'a', ids: ['1', '3'] },
        { correlationId: 'b', scope: 'b', ids: ['2'] },
        { correlationId: undefined, scope: undefined, ids: ['4'] },
      ]);
    });
  });
});

describe(withMessageCorrelation, () => {
  describe('when the message carries a correlation id', () => {
    it('should bind it and the message id as the event id', () => {
      expect(withMessageCorrelation(message('corr', 'evt'), () => currentCorrelation())).toEqual({
        correlationId: 'corr',
        eventId: 'evt',
      });
    });
  });

  describe('when it carries none', () => {
    it('should run the work without a scope', () => {
      expect(withMessageCorrelation(message(undefined, 'evt'), () => currentCorrelation())).toBeUndefined();
    });
  });
});

describe(sharedCorrelationId, () => {
  describe('when every message of the batch shares one id', () => {
    it('should return it', () => {
      expect(sharedCorrelationId([message('x', '1'), message('x', '2')])).toBe('x');
    });
  });

  describe('when the ids differ or are missing', () => {
    it('should return undefined', () => {
      expect(sharedCorrelationId([message('x', '1'), message('y', '2')])).toBeUndefined();
      expect(sharedCorrelationId([message(undefined, '1')])).toBeUndefined();
      expect(sharedCorrelationId([])).toBeUndefined();
    });
  });
});
