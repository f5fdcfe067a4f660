import { SOURCES, type Source } from '@evp/contracts';
import {
  type PipelineSystem,
  type ProcessGroupMeter,
  type ProcessGroupReading,
  metricSum,
  scrapeMetrics,
} from '@evp/testing';

/** One observation of the running system: counters since the services started, and their processes. */
export interface SystemObservation {
  atMs: number;
  /** Rows the collectors really inserted (`collector_events_processed_total`, both summed). */
  stored: number;
  /**
   * Each durable consumer's unfinished work in events: its messages not yet delivered plus delivered and not acked,
   * times the events per message its collector has received so far (see `lagInEvents`).
   */
  backlogs: Record<Source, number>;
  /** Both consumers' unfinished work together, in events. */
  backlog: number;
  /** The same work in messages, as JetStream counts it. */
  backlogMessages: number;
  /** CPU and memory of every process group of the system (gateway, collectors, reporter, nats-server, postgres). */
  processes: Record<string, ProcessGroupReading>;
}

export async function observeSystem(system: PipelineSystem, meter: ProcessGroupMeter): Promise<SystemObservation> {
  const [collectors, backlogs, processes] = await Promise.all([
    Promise.all(SOURCES.map((source) => scrapeMetrics(system.collector(source).url))),
    Promise.all(SOURCES.map((source) => system.backlog(source))),
    meter.read(),
  ]);
  const messages = backlogs.map((backlog) => backlog.pending + backlog.ackPending);
  const events = messages.map((count, index) =>
    lagInEvents(
      count,
      metricSum(collectors[index] ?? [], 'collector_events_accepted_total'),
      metricSum(collectors[index] ?? [], 'collector_messages_received_total'),
    ),
  );
  return {
    atMs: Date.now(),
    stored: metricSum(collectors.flat(), 'collector_events_processed_total'),
    backlogs: Object.fromEntries(SOURCES.map((source, index) => [source, events[index] ?? 0])) as Record<
      Source,
      number
    >,
    backlog: events.reduce((sum, value) => sum + value, 0),
    backlogMessages: messages.reduce((sum, value) => sum + value, 0),
    processes,
  };
}

/**
 * A consumer's unfinished messages in events: a message carries up to the gateway's EVENTS_PER_MESSAGE events, and
 * how many the ones waiting carry is known only once they are read, so the collector's own average so far
 * (events received ÷ messages received, redeliveries in both) stands for them. The gateway packs every body the same
 * way, so that average moves little during a run. Before the collector received anything, a message counts as one.
 */
export function lagInEvents(messages: number, eventsReceived: number, messagesReceived: number): number {
  return messagesReceived === 0 ? messages : Math.round((messages * eventsReceived) / messagesReceived);
}
