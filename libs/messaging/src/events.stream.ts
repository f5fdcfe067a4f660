import { LANES, laneSubject, SOURCES } from '@evp/contracts';
import type { StreamDefinition, StreamLimits } from './jetstream.types';

/**
 * The events stream, one subject per source and lane (`<prefix>.<source>` live, `<prefix>.backfill.<source>`). The gateway and both collectors declare it, and provisioning
 * updates the stream to whichever declaration started last, so all of them must take it from here, with the same
 * limits.
 */
export function eventsStream(name: string, subjectPrefix: string, limits: StreamLimits = {}): StreamDefinition {
  return {
    name,
    subjects: LANES.flatMap((lane) => SOURCES.map((source) => laneSubject(lane, source, subjectPrefix))),
    retention: 'workqueue',
    ...limits,
  };
}
