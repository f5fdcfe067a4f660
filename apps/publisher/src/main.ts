import { LedgerError } from './ledger.writer';
import { PublisherUsageError, parsePublisherCommandLine, publisherHelp } from './publisher.config';
import { runPublisher } from './publisher.runner';

/**
 * The publisher emulator's entry point: `node apps/publisher/dist/main.js [options]`.
 * Exits 1 on a bad configuration (such as a missing EVENT_ENDPOINT, as the real image does), 0 otherwise.
 */
async function main(): Promise<number> {
  let parsed: ReturnType<typeof parsePublisherCommandLine>;
  try {
    parsed = parsePublisherCommandLine(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof PublisherUsageError)) throw error;
    console.error(error.message);
    return 1;
  }
  if (parsed.help) {
    console.log(publisherHelp());
    return 0;
  }

  const stop = new AbortController();
  const force = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (!stop.signal.aborted) {
      console.log(`${signal} received: stopping; waiting for replies in flight (send it again to abandon them)`);
      stop.abort();
    } else {
      console.log(`${signal} received again: abandoning replies in flight`);
      force.abort();
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    await runPublisher(parsed.options, { signal: stop.signal, forceSignal: force.signal });
    return 0;
  } catch (error) {
    if (!(error instanceof LedgerError)) throw error;
    console.error(error.message);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
