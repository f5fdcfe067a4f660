import { LANES, ingestionStreamName, ingestionSubject, laneSubject, SOURCES } from '@evp/contracts';
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

/**
 * The stream of the gateway's ingestion records (`<prefix>.ingestion`, see @evp/contracts), named after the events
 * stream, with the events stream's replicas. Declared by the gateway, which publishes into it, and both collectors,
 * which fold it. No byte or age cap: records are a few hundred bytes, folded as they come, and a byte cap would reserve
 * broker storage beside the events stream's (and, when reached, lose counts).
 */
export function ingestionStream(eventsStreamName: string, subjectPrefix: string, replicas?: number): StreamDefinition {
  return {
    name: ingestionStreamName(eventsStreamName),
    subjects: [ingestionSubject(subjectPrefix)],
    retention: 'workqueue',
    ...(replicas === undefined ? {} : { replicas }),
  };
}
