import { eventSubject, SOURCES } from '@evp/contracts';
import type { StreamDefinition } from './jetstream.types';

/**
 * The events stream, one subject per source. The gateway and both collectors declare it, and provisioning
 * updates the stream to whichever declaration started last, so all of them must take it from here.
 */
export function eventsStream(name: string, subjectPrefix: string): StreamDefinition {
  return {
    name,
    subjects: SOURCES.map((source) => eventSubject(source, subjectPrefix)),
    retention: 'workqueue',
  };
}
