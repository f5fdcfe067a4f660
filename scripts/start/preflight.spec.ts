import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { preflightProblems } from './preflight';
import { startedServices } from './started.services';

const root = resolve(__dirname, '../..');

async function listening(port = 0): Promise<Server> {
  const server = createServer();
  await new Promise<void>((done) => server.listen({ host: '127.0.0.1', port }, done));
  return server;
}

function portOf(server: Server): number {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening on TCP');
  return address.port;
}

/** Four ports nothing listens on: taken and released at once. */
async function freePorts(): Promise<Record<string, string>> {
  const servers = await Promise.all([listening(), listening(), listening(), listening()]);
  const [gateway, fb, ttk, reporter] = servers.map((server) => String(portOf(server)));
  await Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
  return { GATEWAY_PORT: gateway!, FB_COLLECTOR_PORT: fb!, TTK_COLLECTOR_PORT: ttk!, REPORTER_PORT: reporter! };
}

describe('preflightProblems', () => {
  const held: Server[] = [];
  afterEach(async () => {
    await Promise.all(held.splice(0).map((server) => new Promise((done) => server.close(done))));
  });

  describe('when every configuration is valid and the ports are free', () => {
    it('should find nothing', async () => {
      const env = await freePorts();
      expect(await preflightProblems(startedServices(env), env)).toEqual([]);
    });
  });

  describe('when a variable three services share is malformed', () => {
    it('should print one line naming it and the services that read it', async () => {
      const env = { ...(await freePorts()), NATS_URL: 'http://nats:4222' };
      const problems = await preflightProblems(startedServices(env), env);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^NATS_URL: .*nats.* \(gateway, fb-collector, ttk-collector\)$/);
    });
  });

  describe("when a service's port variable is not a port", () => {
    it('should name the variable npm start reads, not PORT', async () => {
      const env = { ...(await freePorts()), REPORTER_PORT: 'eighty' };
      const problems = await preflightProblems(startedServices(env), env);
      expect(problems).toEqual([expect.stringMatching(/^REPORTER_PORT: .* \(reporter\)$/)]);
    });
  });

  describe('when another process holds a port', () => {
    it('should name the port, the service and the variable that moves it', async () => {
      const taken = await listening();
      held.push(taken);
      const env = { ...(await freePorts()), GATEWAY_PORT: String(portOf(taken)) };
      const problems = await preflightProblems(startedServices(env), env);
      expect(problems).toEqual([
        `port ${portOf(taken)} on 127.0.0.1 (gateway GATEWAY_PORT) is already in use by another process: stop it or set GATEWAY_PORT`,
      ]);
    });
  });

  describe('when two services are given the same port', () => {
    it('should say so once', async () => {
      const env = await freePorts();
      env.TTK_COLLECTOR_PORT = env.FB_COLLECTOR_PORT!;
      const problems = await preflightProblems(startedServices(env), env);
      expect(problems).toEqual([
        `port ${env.FB_COLLECTOR_PORT} is wanted by fb-collector FB_COLLECTOR_PORT and ttk-collector TTK_COLLECTOR_PORT: give each its own`,
      ]);
    });
  });
});

describe('npm start', () => {
  describe('when a variable is malformed', () => {
    it('should print it on one line, start nothing and exit 1', async () => {
      const env = { ...process.env, ...(await freePorts()), NATS_URL: 'bogus', LOG_FORMAT: 'json' };
      const run = promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/start.ts', '--no-build'], {
        cwd: root,
        env,
      });
      const failure = await run.then(
        () => undefined,
        (error: { code: number; stdout: string; stderr: string }) => error,
      );
      expect(failure?.code).toBe(1);
      expect(failure?.stderr.match(/NATS_URL/g)).toHaveLength(1);
      expect(failure?.stdout).not.toContain('infrastructure');
    }, 60_000);
  });
});
