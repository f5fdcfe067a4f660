import { FUNNEL_STAGES, SOURCES } from '@evp/contracts';
import { z } from 'zod';

/*
 * Pieces shared by the response schemas: they describe the answers in the OpenAPI document, and the
 * integration tests check real answers against them.
 */

/** Money: a decimal string with exactly two places, e.g. "1234.50" ("0.00" when there is none). */
export const moneySchema = z
  .string()
  .regex(/^\d+\.\d{2}$/)
  .meta({ description: 'Exact decimal amount with two places, as a string.', example: '1234.50' });

export const countSchema = z.number().int().min(0);

export const isoInstantSchema = z.iso.datetime().meta({ example: '2026-01-31T12:00:00.000Z' });

export const sourceSchema = z.enum(SOURCES);
export const funnelStageSchema = z.enum(FUNNEL_STAGES);

/** The validated range of a report, normalised to UTC ISO strings; absent when the request left it open. */
export const rangeFiltersSchema = {
  from: isoInstantSchema.optional().meta({ description: 'Validated `from`, in UTC.' }),
  to: isoInstantSchema.optional().meta({ description: 'Validated `to`, in UTC.' }),
};

export const toIso = (epochMs: number | undefined): string | undefined =>
  epochMs === undefined ? undefined : new Date(epochMs).toISOString();
