import { Writable } from 'node:stream';
import pino, { type LoggerOptions } from 'pino';
import { prettyFactory } from 'pino-pretty';
import { describe, expect, it } from 'vitest';
import { runWithCorrelation } from '../correlation/correlation.context';
import { loggerParams, redactedUrl } from './logger.options';

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
    lines: () =>
      chunks
        .join('')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('loggerParams', () => {
  describe('when a line is written inside a correlation scope', () => {
    it('should carry service, level word, ISO time, message, correlation id and event id', () => {
      const { logger, lines } = captureLogger();
      runWithCorrelation({ correlationId: 'corr-1', eventId: 'fb-1' }, () => logger.info('stored'));
      const [line] = lines();
      expect(line).toMatchObject({
        service: 'gateway',
        level: 'info',
        message: 'stored',
        correlationId: 'corr-1',
        eventId: 'fb-1',
      });
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

  describe('when a request URL carries a token in its query string', () => {
    it('should log the URL with the token replaced', () => {
      const serializers = (loggerParams({ service: 'gateway' }).pinoHttp as LoggerOptions).serializers ?? {};
      const logged = serializers.req?.({
        method: 'POST',
        url: '/webhook?source=x&token=s3cr3t-0123456789abcdef',
      }) as unknown;
      expect(logged).toEqual({ method: 'POST', url: '/webhook?source=x&token=[redacted]' });
      expect(redactedUrl('/webhook?token=abc&x=1')).toBe('/webhook?token=[redacted]&x=1');
      expect(redactedUrl('/webhook?tokens=1')).toBe('/webhook?tokens=1');
      expect(redactedUrl('/reports/revenue')).toBe('/reports/revenue');
    });
  });

  describe('when the format is pretty', () => {
    it('should print a readable line with the level word and message instead of JSON', () => {
      const { transport } = loggerParams({ service: 'gateway', format: 'pretty' }).pinoHttp as LoggerOptions & {
        transport: { target: string; options: Parameters<typeof prettyFactory>[0] };
      };
      expect(transport.target).toBe('pino-pretty');
      const line = prettyFactory({ ...transport.options, colorize: false })(
        JSON.stringify({ level: 'info', time: '2026-01-01T00:00:00.000Z', service: 'gateway', message: 'listening' }),
      );
      expect(line).toMatch(/INFO.*listening/);
      expect(line).not.toContain('{');
    });
  });

  describe('when the format is json', () => {
    it('should use no transport', () => {
      expect(loggerParams({ service: 'gateway' }).pinoHttp).not.toHaveProperty('transport');
    });
  });
});
