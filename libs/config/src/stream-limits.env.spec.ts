import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig } from './config.loader';
import { streamLimitsEnv, streamLimitsOf } from './stream-limits.env';

const schema = z.object({ ...streamLimitsEnv });
const load = (env: NodeJS.ProcessEnv) => loadConfig('test-service', schema, env);

describe('streamLimitsEnv', () => {
  describe('when no variable is set', () => {
    it('should cap events at 10 GiB with no age limit, and dead letters at 1 GiB for 30 days', () => {
      expect(load({})).toEqual({
        EVENTS_STREAM_MAX_BYTES: 10_737_418_240,
        EVENTS_STREAM_MAX_AGE_MS: 0,
        DEAD_LETTER_STREAM_MAX_BYTES: 1_073_741_824,
        DEAD_LETTER_STREAM_MAX_AGE_MS: 2_592_000_000,
        NATS_STREAM_REPLICAS: 1,
      });
    });
  });

  describe('when the variables are set', () => {
    it('should read plain bytes and milliseconds, and -1 as no byte limit', () => {
      expect(
        load({
          EVENTS_STREAM_MAX_BYTES: '53687091200',
          EVENTS_STREAM_MAX_AGE_MS: '604800000',
          DEAD_LETTER_STREAM_MAX_BYTES: '-1',
          DEAD_LETTER_STREAM_MAX_AGE_MS: '0',
          NATS_STREAM_REPLICAS: '3',
        }),
      ).toEqual({
        EVENTS_STREAM_MAX_BYTES: 53_687_091_200,
        EVENTS_STREAM_MAX_AGE_MS: 604_800_000,
        DEAD_LETTER_STREAM_MAX_BYTES: -1,
        DEAD_LETTER_STREAM_MAX_AGE_MS: 0,
        NATS_STREAM_REPLICAS: 3,
      });
    });
  });

  describe('when a variable is bad', () => {
    it('should refuse to start and name each bad variable', () => {
      let error: unknown;
      try {
        load({
          EVENTS_STREAM_MAX_BYTES: '10GiB',
          EVENTS_STREAM_MAX_AGE_MS: '-5',
          DEAD_LETTER_STREAM_MAX_BYTES: '0',
          DEAD_LETTER_STREAM_MAX_AGE_MS: '1.5',
          NATS_STREAM_REPLICAS: '6',
        });
      } catch (caught) {
        error = caught;
      }
      expect(error).toMatchObject({ code: 'CONFIG.INVALID' });
      const problems = (error as { problems: { variable: string }[] }).problems;
      expect(problems.map((problem) => problem.variable).sort()).toEqual([
        'DEAD_LETTER_STREAM_MAX_AGE_MS',
        'DEAD_LETTER_STREAM_MAX_BYTES',
        'EVENTS_STREAM_MAX_AGE_MS',
        'EVENTS_STREAM_MAX_BYTES',
        'NATS_STREAM_REPLICAS',
      ]);
    });
  });
});

describe(streamLimitsOf, () => {
  describe('when given a parsed configuration', () => {
    it('should give each stream its limits as the messaging module declares them', () => {
      const config = load({ EVENTS_STREAM_MAX_BYTES: '1048576', EVENTS_STREAM_MAX_AGE_MS: '60000' });
      expect(streamLimitsOf(config)).toEqual({
        events: { maxBytes: 1_048_576, maxAgeMs: 60_000, replicas: 1 },
        deadLetter: { maxBytes: 1_073_741_824, maxAgeMs: 2_592_000_000, replicas: 1 },
      });
    });

    it('should give both streams the same replica count', () => {
      const { events, deadLetter } = streamLimitsOf(load({ NATS_STREAM_REPLICAS: '3' }));
      expect([events.replicas, deadLetter.replicas]).toEqual([3, 3]);
    });
  });
});
