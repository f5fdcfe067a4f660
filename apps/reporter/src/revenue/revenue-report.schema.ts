import { z } from 'zod';
import { formatParameters } from '../csv/report-format';
import { checkRange, identifierParameter, rangeParameters, sourceParameter } from '../query/query-parameters';
import { countSchema, moneySchema, rangeFiltersSchema, sourceSchema } from '../query/report-filters.schema';

export const revenueQuerySchema = z
  .strictObject({
    ...rangeParameters,
    source: sourceParameter.optional(),
    campaignId: identifierParameter(
      'Only this Facebook campaign. Campaigns exist on Facebook events only, so this restricts the report to Facebook.',
      'camp-a1b2c',
    ).optional(),
    ...formatParameters,
  })
  .superRefine((query, ctx) => {
    checkRange(query, ctx);
    if (query.campaignId !== undefined && query.source === 'tiktok') {
      ctx.addIssue({
        code: 'custom',
        path: ['campaignId'],
        message: 'campaigns exist on Facebook events only: campaignId cannot be combined with source=tiktok',
      });
    }
  });

export type RevenueQuery = z.output<typeof revenueQuerySchema>;

const revenueLine = { revenue: moneySchema, transactions: countSchema };

export const revenueReportSchema = z.object({
  filters: z.object({ ...rangeFiltersSchema, source: sourceSchema.optional(), campaignId: z.string().optional() }),
  totalRevenue: moneySchema.meta({ description: 'Sum of purchase amounts of the transactional events in the range.' }),
  transactions: countSchema.meta({
    description: 'Transactional events with an amount: Facebook checkout.complete and TikTok purchase.',
  }),
  averageOrderValue: moneySchema.meta({
    description: 'totalRevenue / transactions, rounded half up to the cent; "0.00" without transactions.',
  }),
  bySource: z
    .array(z.object({ source: sourceSchema, ...revenueLine }))
    .meta({ description: 'One entry per source the filters allow, zeros included.' }),
  topCampaigns: z.array(z.object({ campaignId: z.string(), ...revenueLine })).meta({
    description:
      'Facebook campaigns with the highest revenue (ties by campaignId), at most REPORT_TOP_CAMPAIGNS; empty for source=tiktok.',
  }),
});

export type RevenueReport = z.output<typeof revenueReportSchema>;
