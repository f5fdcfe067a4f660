import { describe, expect, it } from 'vitest';
import { type CpuPerStoredEvent } from '../system/cpu-per-event.report';
import { type SoakRow } from './soak.rows';
import { type SoakVerdictInput, soakVerdict } from './soak.verdict';

const OFFERED_PER_SECOND = 25_000;

/** Rows every 10 s for `seconds`, offering 25k/s; storage and lag as given. */
function rows(
  seconds: number,
  shape: { storedPerSecond?: number; lagAt?: (t: number) => number; memoryAt?: (t: number) => number } = {},
): SoakRow[] {
  const stored = shape.storedPerSecond ?? OFFERED_PER_SECOND;
  return Array.from({ length: seconds / 10 }, (_, index) => {
    const t = (index + 1) * 10;
    const lag = shape.lagAt?.(t) ?? 20_000;
    return {
      atSeconds: t,
      phase: 'sending',
      offered: OFFERED_PER_SECOND * t,
      acknowledged: OFFERED_PER_SECOND * t,
      stored: stored * t,
      offeredPerSecond: OFFERED_PER_SECOND,
      acknowledgedPerSecond: OFFERED_PER_SECOND,
      storedPerSecond: stored,
      lagBySource: { facebook: lag / 2, tiktok: lag / 2 },
      lag,
      reply: null,
      memoryMb: { gateway: shape.memoryAt?.(t) ?? 300 },
      cpuPercent: {},
      databaseBytes: 0,
      streamBytes: 0,
    };
  });
}

const cpu = (totalMicros: number): CpuPerStoredEvent => ({
  storedEvents: 1,
  seconds: 1,
  microsByProcess: {},
  coresByProcess: {},
  totalMicros,
});

function verdict(overrides: Partial<SoakVerdictInput>): Record<string, boolean> {
  const input: SoakVerdictInput = {
    sending: rows(1200),
    replies: [{ events: 50_000, status: 202, elapsedMs: 900 }],
    largestBody: 50_000,
    nodeServices: ['gateway'],
    reconciliation: { acknowledgedLines: 9, acknowledgedIds: 9, lost: 0, storedRows: 9, duplicated: 0, unexpected: 0 },
    cpu: cpu(55),
    ...overrides,
  };
  return Object.fromEntries(soakVerdict(input).map((line) => [line.check.split(/[\s/]/)[0] as string, line.pass]));
}

describe('soakVerdict', () => {
  describe('when the pipeline keeps pace', () => {
    it('should pass every line', () => {
      expect(Object.values(verdict({})).every(Boolean)).toBe(true);
    });
  });

  describe('when storing falls behind the offered rate', () => {
    it('should fail the throughput and lag lines', () => {
      const falling = verdict({ sending: rows(1200, { storedPerSecond: 20_000, lagAt: (t) => 5_000 * t }) });
      expect(falling.stored).toBe(false);
      expect(falling.consumer).toBe(false);
    });
  });

  describe('when the lag ends high though flat', () => {
    it('should fail the lag line', () => {
      expect(verdict({ sending: rows(1200, { lagAt: () => 31 * OFFERED_PER_SECOND }) }).consumer).toBe(false);
    });
  });

  describe('when large bodies are answered slowly or not sent at all', () => {
    it('should fail the reply line', () => {
      expect(verdict({ replies: [{ events: 49_000, status: 202, elapsedMs: 1_600 }] }).bodies).toBe(false);
      expect(verdict({ replies: [{ events: 10_000, status: 202, elapsedMs: 100 }] }).bodies).toBe(false);
    });
  });

  describe('when a service keeps growing', () => {
    it('should fail the memory line', () => {
      expect(verdict({ sending: rows(1200, { memoryAt: (t) => 300 + t / 30 }) }).memory).toBe(false);
    });
  });

  describe('when an acknowledged event is missing, or the CPU is over target', () => {
    it('should fail those lines', () => {
      const lost = { acknowledgedLines: 9, acknowledgedIds: 9, lost: 1, storedRows: 8, duplicated: 0, unexpected: 0 };
      expect(verdict({ reconciliation: lost }).zero).toBe(false);
      expect(verdict({ cpu: cpu(61) }).CPU).toBe(false);
    });
  });
});
