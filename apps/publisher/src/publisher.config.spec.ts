import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LOAD_CONCURRENCY,
  PublisherUsageError,
  parsePublisherCommandLine,
  publisherHelp,
} from './publisher.config';

const ENDPOINT = { EVENT_ENDPOINT: 'http://127.0.0.1:3000/webhook' };
const fixedSeed = () => 1234;
const options = (argv: string[], env: NodeJS.ProcessEnv = ENDPOINT) => {
  const parsed = parsePublisherCommandLine(argv, env, fixedSeed);
  if (parsed.help) throw new Error('unexpected --help');
  return parsed.options;
};
const usageError = (argv: string[], env: NodeJS.ProcessEnv = ENDPOINT): PublisherUsageError => {
  try {
    parsePublisherCommandLine(argv, env, fixedSeed);
  } catch (error) {
    if (error instanceof PublisherUsageError) return error;
    throw error;
  }
  throw new Error('expected a PublisherUsageError');
};

describe('parsePublisherCommandLine', () => {
  describe('when only EVENT_ENDPOINT is set', () => {
    it('should behave like the real image', () => {
      expect(options([])).toEqual({
        endpoint: 'http://127.0.0.1:3000/webhook',
        mode: 'default',
        batchMin: 1_000,
        batchMax: 50_000,
        intervalMs: 1_000,
        duplicateRate: 0,
        jitterMs: 0,
        corruptionRate: 0.1,
        totalEvents: undefined,
        durationMs: undefined,
        concurrency: undefined,
        seed: 1234,
        requestTimeoutMs: 60_000,
        ledgerPath: undefined,
        summaryJsonPath: undefined,
        progressIntervalMs: 5_000,
        logRequests: true,
        shutdownTimeoutMs: 10_000,
        gzip: false,
      });
    });
  });

  describe('when EVENT_ENDPOINT is missing or not an HTTP URL', () => {
    it('should name the variable and its flag', () => {
      expect(usageError([], {}).message).toMatch(/EVENT_ENDPOINT \(--endpoint\): is required/);
      expect(usageError([], { EVENT_ENDPOINT: 'nats://127.0.0.1:4222' }).message).toMatch(
        /EVENT_ENDPOINT \(--endpoint\): must be an http/,
      );
    });

    it('should treat an empty variable as unset', () => {
      expect(usageError([], { EVENT_ENDPOINT: '' }).message).toMatch(/EVENT_ENDPOINT.*is required/);
    });
  });

  describe('when flags and variables are both given', () => {
    it('should let the flag win', () => {
      const parsed = options(['--batch-min', '10', '--interval-ms=250'], {
        ...ENDPOINT,
        BATCH_MIN: '500',
        BATCH_MAX: '600',
        INTERVAL_MS: '2000',
      });
      expect(parsed).toMatchObject({ batchMin: 10, batchMax: 600, intervalMs: 250 });
    });

    it('should read every knob from its variable', () => {
      const parsed = options([], {
        ...ENDPOINT,
        PUBLISHER_MODE: 'load',
        PUBLISHER_DUPLICATE_RATE: '0.25',
        PUBLISHER_JITTER_MS: '5000',
        CORRUPTION_RATE: '0',
        PUBLISHER_TOTAL_EVENTS: '1000000',
        PUBLISHER_DURATION: '5m',
        PUBLISHER_CONCURRENCY: '8',
        PUBLISHER_SEED: '42',
        PUBLISHER_REQUEST_TIMEOUT_MS: '5000',
        PUBLISHER_LEDGER: '/tmp/ledger',
        PUBLISHER_SUMMARY_JSON: '/tmp/summary.json',
        PUBLISHER_PROGRESS_INTERVAL_MS: '0',
        PUBLISHER_LOG_REQUESTS: 'yes',
        PUBLISHER_SHUTDOWN_TIMEOUT_MS: '3000',
      });
      expect(parsed).toMatchObject({
        mode: 'load',
        duplicateRate: 0.25,
        jitterMs: 5_000,
        corruptionRate: 0,
        totalEvents: 1_000_000,
        durationMs: 300_000,
        concurrency: 8,
        seed: 42,
        requestTimeoutMs: 5_000,
        ledgerPath: '/tmp/ledger',
        summaryJsonPath: '/tmp/summary.json',
        progressIntervalMs: 0,
        logRequests: true,
        shutdownTimeoutMs: 3_000,
      });
    });

    it('should ignore look-alike variables other tools set', () => {
      expect(options([], { ...ENDPOINT, MODE: 'test', SEED: '7', CONCURRENCY: '1' })).toMatchObject({
        mode: 'default',
        seed: 1234,
        concurrency: undefined,
      });
    });
  });

  describe('when the mode is load', () => {
    it('should default to a fixed concurrency and no per-request lines', () => {
      expect(options(['--mode', 'load'])).toMatchObject({ concurrency: DEFAULT_LOAD_CONCURRENCY, logRequests: false });
    });

    it('should keep per-request lines when asked', () => {
      expect(options(['--mode', 'load', '--log-requests', 'true'])).toMatchObject({ logRequests: true });
    });
  });

  describe('when --gzip is given', () => {
    it('should compress bodies, as a flag alone or as PUBLISHER_GZIP', () => {
      expect(options(['--gzip'])).toMatchObject({ gzip: true });
      expect(options([], { ...ENDPOINT, PUBLISHER_GZIP: 'true' })).toMatchObject({ gzip: true });
      expect(usageError([], { ...ENDPOINT, PUBLISHER_GZIP: 'maybe' }).message).toContain(
        'PUBLISHER_GZIP (--gzip): must be true or false',
      );
    });
  });

  describe('when values are out of range', () => {
    it.each([
      [['--batch-min', '0'], 'BATCH_MIN (--batch-min)'],
      [['--batch-max', 'many'], 'BATCH_MAX (--batch-max)'],
      [['--batch-min', '600', '--batch-max', '500'], 'BATCH_MIN (--batch-min): must not exceed BATCH_MAX (500)'],
      [['--duplicate-rate', '1.5'], 'PUBLISHER_DUPLICATE_RATE (--duplicate-rate)'],
      [['--corruption-rate=-0.1'], 'CORRUPTION_RATE (--corruption-rate)'],
      [['--jitter-ms=-1'], 'PUBLISHER_JITTER_MS (--jitter-ms)'],
      [['--duration', 'soon'], 'PUBLISHER_DURATION (--duration): must be a duration'],
      [['--concurrency', '0'], 'PUBLISHER_CONCURRENCY (--concurrency)'],
      [['--seed=-3'], 'PUBLISHER_SEED (--seed)'],
      [['--mode', 'fast'], 'PUBLISHER_MODE (--mode)'],
      [['--log-requests', 'maybe'], 'PUBLISHER_LOG_REQUESTS (--log-requests): must be true or false'],
    ])('should reject %j naming %s', (argv, expected) => {
      expect(usageError(argv).message).toContain(expected);
    });

    it('should report every bad knob at once', () => {
      const message = usageError(['--batch-min', 'x', '--seed', 'y'], {}).message;
      expect(message).toContain('EVENT_ENDPOINT');
      expect(message).toContain('BATCH_MIN');
      expect(message).toContain('PUBLISHER_SEED');
    });
  });

  describe('when the command line is malformed', () => {
    it('should reject an unknown flag and point at --help', () => {
      expect(usageError(['--batch-size', '10']).message).toMatch(/--batch-size[\s\S]*--help/);
    });

    it('should reject a stray argument', () => {
      expect(usageError(['http://127.0.0.1:3000']).message).toMatch(/--help/);
    });
  });

  describe('when --help is given', () => {
    it('should ask for the help text even without an endpoint', () => {
      expect(parsePublisherCommandLine(['--help'], {})).toEqual({ help: true });
      expect(parsePublisherCommandLine(['-h'], {})).toEqual({ help: true });
    });

    it('should list every flag with its variable', () => {
      const help = publisherHelp();
      for (const [flag, env] of [
        ['--endpoint', 'EVENT_ENDPOINT'],
        ['--total', 'PUBLISHER_TOTAL_EVENTS'],
        ['--duration', 'PUBLISHER_DURATION'],
        ['--concurrency', 'PUBLISHER_CONCURRENCY'],
        ['--ledger', 'PUBLISHER_LEDGER'],
        ['--mode', 'PUBLISHER_MODE'],
        ['--gzip', 'PUBLISHER_GZIP'],
      ]) {
        expect(help).toMatch(new RegExp(`${flag} .*${env}`));
      }
    });
  });
});
