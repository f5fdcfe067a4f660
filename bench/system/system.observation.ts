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
  /** Each durable consumer's unfinished work: messages not yet delivered plus delivered and not acked. */
  backlogs: Record<Source, number>;
  /** Both consumers' unfinished work together. */
  backlog: number;
  /** CPU and memory of every process group of the system (gateway, collectors, reporter, nats-server, postgres). */
  processes: Record<string, ProcessGroupReading>;
}

export async function observeSystem(system: PipelineSystem, meter: ProcessGroupMeter): Promise<SystemObservation> {
  const [collectors, backlogs, processes] = await Promise.all([
    Promise.all(SOURCES.map((source) => scrapeMetrics(system.collector(source).url))),
    Promise.all(SOURCES.map((source) => system.backlog(source))),
    meter.read(),
  ]);
  const unfinished = backlogs.map((backlog) => backlog.pending + backlog.ackPending);
  return {
    atMs: Date.now(),
    stored: metricSum(collectors.flat(), 'collector_events_processed_total'),
    backlogs: Object.fromEntries(SOURCES.map((source, index) => [source, unfinished[index] ?? 0])) as Record<
      Source,
      number
    >,
    backlog: unfinished.reduce((sum, value) => sum + value, 0),
    processes,
  };
}
