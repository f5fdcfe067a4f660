import { eventSubject, SOURCES } from '@evp/contracts';
import type { StreamDefinition, StreamLimits } from './jetstream.types';

/**
 * The events stream, one subject per source. The gateway and both collectors declare it, and provisioning
 * updates the stream to whichever declaration started last, so all of them must take it from here, with the same
 * limits.
 */
export function eventsStream(name: string, subjectPrefix: string, limits: StreamLimits = {}): StreamDefinition {
  return {
    name,
    subjects: SOURCES.map((source) => eventSubject(source, subjectPrefix)),
    retention: 'workqueue',
    ...limits,
  };
}
