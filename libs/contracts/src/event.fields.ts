import { z } from 'zod';
import type { FunnelStage, Source } from './event-taxonomy';
import {
  facebookBottomEventSchema,
  facebookTopEventSchema,
  tiktokBottomEventSchema,
  tiktokTopEventSchema,
} from './event.schema';

/** The fields of one event shape: `true` for a value, a nested tree for an object the contract describes. */
export interface FieldTree {
  readonly [field: string]: FieldTree | true;
}

function fieldTreeOf(schema: z.ZodObject): FieldTree {
  const tree: Record<string, FieldTree | true> = {};
  for (const [field, value] of Object.entries(schema.shape)) {
    const inner: unknown = value instanceof z.ZodNullable ? value.unwrap() : value;
    tree[field] = inner instanceof z.ZodObject ? fieldTreeOf(inner) : true;
  }
  return tree;
}

/** The contract's fields of each source and funnel stage, read from the Zod schemas so they cannot drift apart. */
export const CONTRACT_FIELDS: Record<Source, Record<FunnelStage, FieldTree>> = {
  facebook: { top: fieldTreeOf(facebookTopEventSchema), bottom: fieldTreeOf(facebookBottomEventSchema) },
  tiktok: { top: fieldTreeOf(tiktokTopEventSchema), bottom: fieldTreeOf(tiktokBottomEventSchema) },
};

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function extraOf(input: Record<string, unknown>, fields: FieldTree): Record<string, unknown> | undefined {
  let extra: Record<string, unknown> | undefined;
  for (const [field, value] of Object.entries(input)) {
    const known = fields[field];
    const nested =
      known === undefined ? value : known !== true && isPlainObject(value) ? extraOf(value, known) : undefined;
    if (nested !== undefined) (extra ??= {})[field] = nested;
  }
  return extra;
}

/**
 * The fields of an event (as parsed from its JSON) that its shape in the contract does not describe, at the same
 * paths, e.g. `{ "data": { "user": { "tier": "gold" } } }`; undefined when there are none (nearly always). With the
 * typed columns they make up the event as received: validation strips these fields, and publishers add fields over
 * time, so they are kept rather than dropped.
 */
export function extraFieldsOf(
  input: Record<string, unknown>,
  source: Source,
  funnelStage: FunnelStage,
): Record<string, unknown> | undefined {
  return extraOf(input, CONTRACT_FIELDS[source][funnelStage]);
}
