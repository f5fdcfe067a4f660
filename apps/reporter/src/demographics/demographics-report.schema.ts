import { z } from 'zod';
import { formatParameters } from '../csv/report-format';
import { checkRange, rangeParameters, sourceParameter } from '../query/query-parameters';
import { countSchema, rangeFiltersSchema, sourceSchema } from '../query/report-filters.schema';

export const AGE_GROUPS = ['0-17', '18-24', '25-34', '35-44', '45-54', '55-64', '65+'] as const;
export const FOLLOWER_BUCKETS = ['0-999', '1000-9999', '10000-99999', '100000-999999', '1000000+'] as const;
/** Listed with zeros when nobody has them, so answers always have the same shape. */
export const GENDERS = ['male', 'female', 'non-binary'] as const;
export const TIKTOK_DEVICES = ['Android', 'iOS', 'Desktop'] as const;

export const demographicsQuerySchema = z
  .strictObject({
    ...rangeParameters,
    source: sourceParameter
      .optional()
      .meta({ description: 'Only this source: the answer then holds only its object.' }),
    ...formatParameters,
  })
  .superRefine(checkRange);

export type DemographicsQuery = z.output<typeof demographicsQuerySchema>;

const usersSchema = countSchema.meta({ description: 'Distinct users.' });

export const facebookDemographicsSchema = z
  .object({
    users: usersSchema,
    events: countSchema.meta({ description: 'Facebook events in the range.' }),
    genders: z.array(z.object({ gender: z.string(), users: countSchema })),
    ageGroups: z.array(z.object({ range: z.enum(AGE_GROUPS), users: countSchema })),
    averageAge: z
      .number()
      .nullable()
      .meta({ description: 'Mean age of the users, rounded to 2 decimals; null without users.' }),
    topCountries: z.array(z.object({ country: z.string(), users: countSchema })),
    topCities: z.array(z.object({ city: z.string(), country: z.string(), users: countSchema })),
  })
  .meta({
    description:
      'Each user with a Facebook event in the range is counted once, with the attributes of their earliest Facebook event in the range (ties by event id). Top lists are ordered by users, then name, and hold at most REPORT_TOP_COUNTRIES / REPORT_TOP_CITIES entries; a city is a (city, country) pair.',
  });

export const tiktokDemographicsSchema = z
  .object({
    users: usersSchema,
    events: countSchema.meta({ description: 'TikTok events in the range.' }),
    followers: z
      .object({
        average: z.number().nullable().meta({ description: 'Mean, rounded to 2 decimals.' }),
        median: z
          .number()
          .nullable()
          .meta({ description: 'Middle value; the mean of the two middle values for an even count.' }),
        min: z.number().int().nullable(),
        max: z.number().int().nullable(),
      })
      .meta({ description: 'Follower counts of the users; all null without users.' }),
    followerBuckets: z.array(z.object({ range: z.enum(FOLLOWER_BUCKETS), users: countSchema })),
    topCountries: z.array(z.object({ country: z.string(), users: countSchema })),
    devices: z.array(z.object({ device: z.string(), users: countSchema })),
  })
  .meta({
    description:
      'Each user with a TikTok event in the range is counted once. Followers come from their earliest TikTok event in the range; country and device exist on top-funnel events only, so topCountries and devices count the users with a top-funnel event in the range, with the values of their earliest one (ties by event id).',
  });

export const demographicsReportSchema = z.object({
  filters: z.object({ ...rangeFiltersSchema, source: sourceSchema.optional() }),
  facebook: facebookDemographicsSchema.optional().meta({ description: 'Absent when source=tiktok.' }),
  tiktok: tiktokDemographicsSchema.optional().meta({ description: 'Absent when source=facebook.' }),
});

export type DemographicsReport = z.output<typeof demographicsReportSchema>;
export type FacebookDemographics = z.output<typeof facebookDemographicsSchema>;
export type TiktokDemographics = z.output<typeof tiktokDemographicsSchema>;
