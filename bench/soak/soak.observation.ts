import { type PipelineSystem, type ProcessGroupMeter, type PublisherProgress, type PublisherReply } from '@evp/testing';
import { type SystemObservation, observeSystem } from '../system/system.observation';
import { type PublisherOutputTracker } from './publisher-output.tracker';

export type SoakPhase = 'sending' | 'draining';

/** One observation of a soak: the system's, plus the emulator's progress and the storage the run fills. */
export interface SoakObservation extends SystemObservation {
  phase: SoakPhase;
  /** The emulator's totals as of its latest progress line; undefined before it printed one. */
  publisher: PublisherProgress | undefined;
  /** Bodies answered since the previous observation. */
  replies: PublisherReply[];
  databaseBytes: number;
  /** Bytes the events stream holds: what the collectors have not acked yet. */
  streamBytes: number;
}

/** Observes a soak; `phase` says whether the emulator is still sending when the observation is taken. */
export function soakObserver(
  tracker: PublisherOutputTracker,
  phase: () => SoakPhase,
): (system: PipelineSystem, meter: ProcessGroupMeter) => Promise<SoakObservation> {
  return async (system, meter) => {
    const phaseAtStart = phase();
    const [observation, [database], streamBytes] = await Promise.all([
      observeSystem(system, meter),
      system.query<{ bytes: string }>('SELECT pg_database_size(current_database()) AS bytes'),
      system.streamBytes(),
    ]);
    return {
      ...observation,
      phase: phaseAtStart,
      publisher: tracker.progress,
      replies: tracker.takeReplies(),
      databaseBytes: Number(database?.bytes ?? 0),
      streamBytes,
    };
  };
}
