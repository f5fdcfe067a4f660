import { type AddressInfo } from 'node:net';
import { Controller, Get, Inject, Module } from '@nestjs/common';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Counter, type Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRICS_REGISTRY, ObservabilityModule, ReadinessRegistry, bootstrapService } from '../src';

@Controller('work')
class WorkController {
  private readonly done: Counter;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.done = new Counter({ name: 'work_done_total', help: 'Work done.', registers: [registry] });
  }

  @Get()
  work(): { ok: true } {
    this.done.inc();
    return { ok: true };
  }
}

@Module({ imports: [ObservabilityModule.forRoot({ service: 'probe', logLevel: 'silent' })], controllers: [WorkController] })
class ProbeModule {}

describe('ObservabilityModule', () => {
  let app: NestFastifyApplication;
  let baseUrl: string;
  let databaseUp = true;

  beforeAll(async () => {
    app = await bootstrapService({ module: ProbeModule, port: 0, host: '127.0.0.1', shutdownTimeoutMs: 5_000, handleSignals: false });
    app.get(ReadinessRegistry).register('database', () =>
      Promise.resolve(databaseUp ? { up: true } : { up: false, message: 'database evp is not reachable' }),
    );
    const { port } = app.getHttpServer().address() as AddressInfo;
    baseUrl = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await app.close();
  });

  describe('when asked for liveness', () => {
    it('should answer 200', async () => {
      const response = await fetch(`${baseUrl}/health/liveness`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ status: 'ok' });
    });
  });

  describe('when asked for readiness', () => {
    it('should answer 200 while every dependency is up', async () => {
      databaseUp = true;
      const response = await fetch(`${baseUrl}/health/readiness`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ status: 'ok', details: { database: { status: 'up' } } });
    });

    it('should answer 503 naming the dependency that is down', async () => {
      databaseUp = false;
      const response = await fetch(`${baseUrl}/health/readiness`);
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({
        status: 'error',
        error: { database: { status: 'down', message: 'database evp is not reachable' } },
      });
      databaseUp = true;
    });
  });

  describe('when a request carries a correlation id', () => {
    it('should echo a sane id', async () => {
      const response = await fetch(`${baseUrl}/work`, { headers: { 'x-correlation-id': 'req-123' } });
      expect(response.headers.get('x-correlation-id')).toBe('req-123');
    });

    it('should replace an unusable id with a generated one', async () => {
      const response = await fetch(`${baseUrl}/work`, { headers: { 'x-correlation-id': 'bad id with spaces' } });
      expect(response.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('should generate one when absent', async () => {
      const response = await fetch(`${baseUrl}/work`);
      expect(response.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  describe('when scraped', () => {
    it('should expose process metrics and the app metrics labelled with the service', async () => {
      await fetch(`${baseUrl}/work`);
      const response = await fetch(`${baseUrl}/metrics`);
      expect(response.headers.get('content-type')).toContain('text/plain');
      const text = await response.text();
      expect(text).toMatch(/^process_cpu_user_seconds_total\{service="probe"\} /m);
      expect(text).toMatch(/^work_done_total\{service="probe"\} [1-9]/m);
    });
  });

  describe('when shutting down', () => {
    it('should report not ready before it stops', async () => {
      app.get(ReadinessRegistry).markShuttingDown();
      const response = await fetch(`${baseUrl}/health/readiness`);
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ error: { lifecycle: { message: 'shutting down' } } });
    });
  });
});
