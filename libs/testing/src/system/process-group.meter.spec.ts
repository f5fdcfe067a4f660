import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ProcessGroupMeter } from './process-group.meter';

/** A child that keeps one core busy for `ms`, then waits to be killed. */
async function busyChild(ms: number) {
  const child = spawn(process.execPath, [
    '-e',
    `const end = Date.now() + ${ms}; while (Date.now() < end); console.log('done'); setInterval(() => {}, 1000);`,
  ]);
  await once(child.stdout, 'data');
  return child;
}

describe(ProcessGroupMeter, () => {
  describe('when a process of the group works and then ends', () => {
    it('should count its CPU and memory while it lives, and keep its CPU after it has ended', async () => {
      const child = await busyChild(300);
      const meter = new ProcessGroupMeter([{ name: 'child', pids: () => Promise.resolve([child.pid as number]) }]);
      const alive = (await meter.read()).child!;
      expect(alive.processes).toBe(1);
      expect(alive.cpuSeconds).toBeGreaterThanOrEqual(0.2);
      expect(alive.rssBytes).toBeGreaterThan(1_000_000);
      expect(alive.pssBytes).toBeGreaterThan(0);
      child.kill('SIGKILL');
      await once(child, 'exit');
      const ended = (await meter.read()).child!;
      expect(ended.processes).toBe(0);
      expect(ended.cpuSeconds).toBe(alive.cpuSeconds);
      expect(ended.rssBytes).toBe(0);
    });
  });
});
