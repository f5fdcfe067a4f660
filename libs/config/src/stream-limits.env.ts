import { z } from 'zod';
import { byteLimit } from './env.types';

const GIBIBYTE = 1024 ** 3;
const DAY_MS = 86_400_000;

const ageMs = (fallback: number) => z.coerce.number().int().min(0).default(fallback);

const streamLimitsSchema = z.object({
  /**
   * Events accepted and not yet stored by a collector. A full stream refuses new events and the gateway answers
   * 503, so this is the collector outage the pipeline rides out. NATS reserves the whole amount in its store when
   * the stream is provisioned.
   */
  EVENTS_STREAM_MAX_BYTES: byteLimit(10 * GIBIBYTE),
  /** 0: an event stays until a collector has stored it; any other age deletes events that were never stored. */
  EVENTS_STREAM_MAX_AGE_MS: ageMs(0),
  /** A full dead-letter stream refuses new letters: the gateway then answers 503 to batches with invalid events. */
  DEAD_LETTER_STREAM_MAX_BYTES: byteLimit(GIBIBYTE),
  DEAD_LETTER_STREAM_MAX_AGE_MS: ageMs(30 * DAY_MS),
  /**
   * Copies of both streams in the JetStream cluster: 3 on a three-node cluster, so a PubAck means two servers
   * have the message and the loss of any one of them loses nothing. 1 on a single server (a higher count than
   * the cluster has servers stops the start with ProvisioningError).
   */
  NATS_STREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
});

/**
 * The byte and age limits and the replica count of the events and dead-letter streams, for the config schema of every service that
 * provisions them (the gateway and both collectors). Each one applies its limits when it starts, so all of them
 * spread this same shape into their schema.
 */
export const streamLimitsEnv = streamLimitsSchema.shape;

export type StreamLimitsEnv = z.output<typeof streamLimitsSchema>;

/** One stream's limits and replica count, as the messaging module declares them. */
export interface ConfiguredStreamLimits {
  maxBytes: number;
  maxAgeMs: number;
  replicas: number;
}

export function streamLimitsOf(config: StreamLimitsEnv): {
  events: ConfiguredStreamLimits;
  deadLetter: ConfiguredStreamLimits;
} {
  return {
    events: {
      maxBytes: config.EVENTS_STREAM_MAX_BYTES,
      maxAgeMs: config.EVENTS_STREAM_MAX_AGE_MS,
      replicas: config.NATS_STREAM_REPLICAS,
    },
    deadLetter: {
      maxBytes: config.DEAD_LETTER_STREAM_MAX_BYTES,
      maxAgeMs: config.DEAD_LETTER_STREAM_MAX_AGE_MS,
      replicas: config.NATS_STREAM_REPLICAS,
    },
  };
}
