/**
 * `npm start`: the whole system on this machine, no Docker. Loads `.env` when there is one, checks every
 * service's configuration and ports before anything starts, makes sure PostgreSQL and NATS are up, builds,
 * migrates, then runs every service (and the publisher emulator) as supervised processes with prefixed logs
 * until Ctrl-C, when each one shuts down gracefully.
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultLogFormat } from '@evp/config';
import { type ConcurrentlyCommandInput, concurrently } from 'concurrently';
import { loadDotEnv } from './start/dot-env';
import { preflightProblems } from './start/preflight';
import { startedServices } from './start/started.services';

const root = resolve(__dirname, '..');

const { values: flags } = parseArgs({
  options: {
    'no-publisher': { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    'real-rate': { type: 'boolean', default: false },
    'batch-min': { type: 'string' },
    'batch-max': { type: 'string' },
    interval: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (flags.help) {
  console.log(`Usage: npm start -- [options]
  --no-publisher        run the services without the publisher emulator
  --real-rate           publish like the real image: 1,000-50,000 events every second (heavy for 2 cores)
  --batch-min N         smallest batch the emulator sends (default 200)
  --batch-max N         largest batch the emulator sends (default 2000)
  --interval MS         time between batches (default 1000)
  --no-build            skip the TypeScript build (use what dist/ holds)
Environment variables (see .env.example) configure ports and URLs; a .env file at the repository root is read
when present (variables already set in the shell win). LOG_FORMAT=pretty|json (default pretty on a terminal).
Prometheus and Grafana are not started: docker compose up runs them with everything else.`);
  process.exit(0);
}

const env = process.env;
const fromDotEnv = loadDotEnv(resolve(root, '.env'), env);
if (fromDotEnv.length > 0) console.log(`▶ .env: ${fromDotEnv.length} variables (the shell's own win)`);
// The services' stdout is a pipe to concurrently, so the terminal is judged here, once, for all of them.
env.LOG_FORMAT ??= defaultLogFormat(process.stdout, env);

const services = startedServices(env);
const [gateway, , , reporter] = services;

function step(title: string, command: string, args: string[]): void {
  console.log(`\n▶ ${title}`);
  execFileSync(command, args, { cwd: root, stdio: 'inherit', env });
}

const service = (name: string, app: string, port: string, color: string): ConcurrentlyCommandInput => ({
  name,
  // `exec`: the service replaces the shell concurrently starts it in, so its own exit code (0 after a graceful
  // stop) is what concurrently sees; a shell interrupted by Ctrl-C would report SIGINT instead. The flag matches
  // the Docker image's NODE_OPTIONS: a larger young generation for the per-batch garbage.
  command: `exec node --max-semi-space-size=64 apps/${app}/dist/main.js`,
  prefixColor: color,
  env: { PORT: port },
});

const COLOURS: Record<string, string> = {
  gateway: 'cyan',
  'fb-collector': 'blue',
  'ttk-collector': 'magenta',
  reporter: 'green',
};

function run(): void {
  step('infrastructure (PostgreSQL, NATS JetStream)', 'bash', ['scripts/infra.sh']);
  if (!flags['no-build']) step('build', 'npm', ['run', '--silent', 'build']);
  step('database migrations', 'npm', ['run', '--silent', 'db:migrate']);

  const commands = services.map((started) =>
    service(started.name, started.name, started.port, COLOURS[started.name] ?? 'white'),
  );
  if (!flags['no-publisher']) {
    const batchMin = flags['batch-min'] ?? (flags['real-rate'] ? '1000' : '200');
    const batchMax = flags['batch-max'] ?? (flags['real-rate'] ? '50000' : '2000');
    const interval = flags.interval ?? '1000';
    commands.push({
      name: 'publisher',
      // Like the compose deployment, the emulator fires only once the gateway is ready.
      command: `node scripts/wait-ready.mjs http://127.0.0.1:${gateway.port}/health/readiness && exec node apps/publisher/dist/main.js`,
      prefixColor: 'yellow',
      env: {
        EVENT_ENDPOINT: env.EVENT_ENDPOINT ?? `http://127.0.0.1:${gateway.port}/webhook`,
        BATCH_MIN: batchMin,
        BATCH_MAX: batchMax,
        INTERVAL_MS: interval,
      },
    });
  }

  console.log(`
▶ starting ${commands.map((command) => (typeof command === 'string' ? command : command.name)).join(', ')} (Ctrl-C stops everything gracefully)
  webhook       POST http://127.0.0.1:${gateway.port}/webhook
  reports       http://127.0.0.1:${reporter.port}/reports/events | /reports/revenue | /reports/demographics
  API docs      http://127.0.0.1:${reporter.port}/api/docs
  metrics       http://127.0.0.1:{${services.map((started) => started.port).join(',')}}/metrics
  health        http://127.0.0.1:<port>/health/liveness | /health/readiness
  not started   Prometheus and Grafana: docker compose up runs them (and everything else) in containers
`);

  const { result } = concurrently(commands, {
    prefix: 'name',
    padPrefix: true,
    // A service that crashes is restarted; one that stops cleanly (exit 0, e.g. on Ctrl-C) is not. A bad
    // configuration never gets here: the pre-flight stopped it, so nothing restarts in a loop over it.
    restartTries: 5,
    restartDelay: 'exponential',
    killSignal: 'SIGTERM',
    // Longer than any service's graceful shutdown timeout.
    killTimeout: 30_000,
    cwd: root,
  });

  result.then(
    () => process.exit(0),
    (events: Array<{ command: { name: string }; exitCode: number | string }>) => {
      const failed = events.filter(
        (event) => event.exitCode !== 0 && event.exitCode !== 'SIGINT' && event.exitCode !== 'SIGTERM',
      );
      for (const event of failed) console.error(`${event.command.name} exited with ${event.exitCode}`);
      process.exit(failed.length > 0 ? 1 : 0);
    },
  );
}

void preflightProblems(services, env).then((problems) => {
  if (problems.length === 0) return run();
  console.error('✗ npm start: nothing was started, fix these first (see .env.example):');
  for (const problem of problems) console.error(`  ${problem}`);
  process.exit(1);
});
