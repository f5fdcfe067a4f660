import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { terminalProgress } from './terminal.progress';

function fakeStream(isTTY: boolean): { stream: NodeJS.WriteStream; written: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  }) as unknown as NodeJS.WriteStream;
  Object.assign(stream, { isTTY, columns: 200, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  return { stream, written: () => chunks.join('') };
}

describe('terminalProgress', () => {
  describe('when the stream is a terminal', () => {
    it('should draw a bar with the count, the rate and the ETA', () => {
      const { stream, written } = fakeStream(true);
      const progress = terminalProgress('seeding', 'events', { stream });
      progress.update(250, 1_000);
      progress.update(500, 1_000);
      progress.stop();
      expect(progress.drawn).toBe(true);
      expect(written()).toMatch(/seeding \[.*\] 50% \| 500\/1000 events \| \d+\/s \| ETA \S+/);
    });
  });

  describe('when the stream is a pipe or the output is JSON', () => {
    it('should draw nothing', () => {
      const pipe = fakeStream(false);
      const progress = terminalProgress('replaying', 'letters', { stream: pipe.stream });
      progress.update(1, 2);
      progress.stop();
      expect(progress.drawn).toBe(false);
      expect(pipe.written()).toBe('');
      const terminal = fakeStream(true);
      expect(terminalProgress('replaying', 'letters', { quiet: true, stream: terminal.stream }).drawn).toBe(false);
    });
  });
});
