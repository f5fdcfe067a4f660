import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DashboardCheckError } from './check.errors';
import { buildCheckConfig } from './prometheus-config.builder';

const LOCAL_CONFIG = resolve(__dirname, '../../../deploy/prometheus/prometheus.local.yml');
const baseYaml = readFileSync(LOCAL_CONFIG, 'utf8');
const ports = {
  gateway: 41000,
  'fb-collector': 41001,
  'ttk-collector': 41002,
  reporter: 41003,
  postgres: 41004,
  nats: 41005,
};

interface BuiltConfig {
  global: Record<string, string | Record<string, string>>;
  rule_files: string[];
  scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
}

const build = (targetPorts: Record<string, number>): BuiltConfig =>
  parse(
    buildCheckConfig(baseYaml, { targetPorts, scrapeIntervalSeconds: 3, baseDir: dirname(LOCAL_CONFIG) }),
  ) as BuiltConfig;

describe(buildCheckConfig.name, () => {
  describe('when every job of the committed local configuration has a port', () => {
    const config = build(ports);

    it('should point each job at its one service or exporter on 127.0.0.1', () => {
      expect(Object.fromEntries(config.scrape_configs.map((job) => [job.job_name, job.static_configs]))).toEqual({
        gateway: [{ targets: ['127.0.0.1:41000'] }],
        'fb-collector': [{ targets: ['127.0.0.1:41001'] }],
        'ttk-collector': [{ targets: ['127.0.0.1:41002'] }],
        reporter: [{ targets: ['127.0.0.1:41003'] }],
        postgres: [{ targets: ['127.0.0.1:41004'] }],
        nats: [{ targets: ['127.0.0.1:41005'] }],
      });
    });

    it('should scrape and evaluate at the given interval, with a timeout no longer than it', () => {
      expect(config.global).toMatchObject({ scrape_interval: '3s', scrape_timeout: '3s', evaluation_interval: '3s' });
    });

    it('should keep the external labels of the committed configuration', () => {
      expect(config.global.external_labels).toEqual({ deployment: 'local' });
    });

    it('should load the committed rule files by absolute path', () => {
      expect(config.rule_files).toEqual([resolve(dirname(LOCAL_CONFIG), 'rules/*.yml')]);
    });
  });

  describe('when a job of the configuration has no service', () => {
    it('should refuse with a scrape configuration error naming the jobs', () => {
      const { reporter: _reporter, ...withoutReporter } = ports;
      expect(() => build(withoutReporter)).toThrow(DashboardCheckError);
      expect(() => build(withoutReporter)).toThrow(/gateway, fb-collector, ttk-collector, reporter/);
    });
  });

  describe('when a service has no job in the configuration', () => {
    it('should refuse with the code DASHCHECK.SCRAPE_CONFIG', () => {
      try {
        build({ ...ports, publisher: 41004 });
        expect.unreachable('the configuration was built');
      } catch (error) {
        expect(error).toMatchObject({ name: 'DashboardCheckError', code: 'DASHCHECK.SCRAPE_CONFIG' });
      }
    });
  });
});
