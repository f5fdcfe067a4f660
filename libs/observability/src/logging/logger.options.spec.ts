import { Writable } from 'node:stream';
import pino, { type LoggerOptions } from 'pino';
import { describe, expect, it } from 'vitest';
import { runWithCorrelation } from '../correlation/correlation.context';
import { loggerParams } from './logger.options';

function captureLogger(): { logger: pino.Logger; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  const options = loggerParams({ service: 'gateway', level: 'info' }).pinoHttp as LoggerOptions;
  return {
    logger: pino(options, sink),
    lines: () => chunks.join('').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('loggerParams', () => {
  describe('when a line is written inside a correlation scope', () => {
    it('should carry service, level word, ISO time, message, correlation id and event id', () => {
      const { logger, lines } = captureLogger();
      runWithCorrelation({ correlationId: 'corr-1', eventId: 'fb-1' }, () => logger.info('stored'));
      const [line] = lines();
      expect(line).toMatchObject({ service: 'gateway', level: 'info', message: 'stored', correlationId: 'corr-1', eventId: 'fb-1' });
      expect(new Date(line!.time as string).toISOString()).toBe(line!.time);
    });
  });

  describe('when a line is written outside any scope', () => {
    it('should carry no correlation id', () => {
      const { logger, lines } = captureLogger();
      logger.warn('idle');
      expect(lines()[0]).not.toHaveProperty('correlationId');
    });
  });
});
