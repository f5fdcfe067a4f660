import { createServer } from 'node:net';
import { ConfigValidationError } from '@evp/config';

/** What the pre-flight needs of a service's validated configuration. */
export interface ListeningConfig {
  PORT: number;
  HOST: string;
  METRICS_PORT?: number | undefined;
}

/** A service `npm start` runs: its name, the variable that sets its port, and its own configuration loader. */
export interface StartedService {
  name: string;
  /** The variable `npm start` reads the service's PORT from, e.g. `GATEWAY_PORT`. */
  portVariable: string;
  port: string;
  load: (env: NodeJS.ProcessEnv) => ListeningConfig;
}

interface Listener {
  service: string;
  variable: string;
  host: string;
  port: number;
}

/**
 * Every reason the services would fail to start, one line each and each once: configuration problems (a variable
 * several services share and all reject is one line naming them all), ports two services both want, and ports
 * another process already holds.
 */
export async function preflightProblems(
  services: readonly StartedService[],
  env: NodeJS.ProcessEnv,
): Promise<string[]> {
  const configProblems = new Map<string, string[]>();
  const listeners: Listener[] = [];
  for (const service of services) {
    try {
      const config = service.load({ ...env, PORT: service.port });
      listeners.push({ service: service.name, variable: service.portVariable, host: config.HOST, port: config.PORT });
      if (config.METRICS_PORT !== undefined)
        listeners.push({
          service: service.name,
          variable: 'METRICS_PORT',
          host: config.HOST,
          port: config.METRICS_PORT,
        });
    } catch (error) {
      for (const line of problemLines(error, service))
        configProblems.set(line, [...(configProblems.get(line) ?? []), service.name]);
    }
  }
  const problems = [...configProblems].map(([line, names]) => `${line} (${names.join(', ')})`);
  return [...problems, ...sharedPorts(listeners), ...(await takenPorts(uniqueByPort(listeners)))];
}

function problemLines(error: unknown, service: StartedService): string[] {
  if (!(error instanceof ConfigValidationError)) return [error instanceof Error ? error.message : String(error)];
  return error.problems.map(({ variable, message }) => {
    const name = variable === 'PORT' ? service.portVariable : variable;
    return `${name}: ${message}`;
  });
}

function sharedPorts(listeners: readonly Listener[]): string[] {
  const byPort = new Map<number, Listener[]>();
  for (const listener of listeners) byPort.set(listener.port, [...(byPort.get(listener.port) ?? []), listener]);
  return [...byPort]
    .filter(([, group]) => group.length > 1)
    .map(([port, group]) => `port ${port} is wanted by ${group.map(describe).join(' and ')}: give each its own`);
}

function uniqueByPort(listeners: readonly Listener[]): Listener[] {
  return [...new Map(listeners.map((listener) => [listener.port, listener])).values()];
}

async function takenPorts(listeners: readonly Listener[]): Promise<string[]> {
  const problems: string[] = [];
  for (const listener of listeners) {
    const failure = await tryListen(listener.host, listener.port);
    if (failure === undefined) continue;
    problems.push(
      failure === 'EADDRINUSE'
        ? `port ${listener.port} on ${listener.host} (${describe(listener)}) is already in use by another process: stop it or set ${listener.variable}`
        : `port ${listener.port} on ${listener.host} (${describe(listener)}) cannot be listened on (${failure})`,
    );
  }
  return problems;
}

function describe(listener: Listener): string {
  return `${listener.service} ${listener.variable}`;
}

/** Listens and closes at once: undefined when the port was free, else the error code. */
function tryListen(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}
