import { Inject, Injectable } from '@nestjs/common';
import { type Source } from '@evp/contracts';
import {
  type ReportQuery,
  type Span,
  allTimeFacebookRows,
  allTimeFollowerFigures,
  allTimeTiktokPlaces,
  bucketIndex,
  eventsPerSource,
  rangeFacebookRows,
  rangeFollowerFigures,
  rangeTiktokPlaces,
} from '@evp/database';
import { ReportReader } from '../query/report.reader';
import { toIso } from '../query/report-filters.schema';
import { assertUsersRetained } from '../query/retention-horizon';
import { type ReporterConfig } from '../reporter.config';
import { REPORTER_CONFIG } from '../reporter.constants';
import {
  AGE_GROUPS,
  type DemographicsQuery,
  type DemographicsReport as DemographicsReportBody,
  FOLLOWER_BUCKETS,
  type FacebookDemographics,
  GENDERS,
  TIKTOK_DEVICES,
  type TiktokDemographics,
} from './demographics-report.schema';

/** Lower bounds of AGE_GROUPS, in the same order. */
const AGE_GROUP_FLOORS = [0, 18, 25, 35, 45, 55, 65];

/**
 * `GET /reports/demographics`: who the users with events in the range are. Counts of users do not add up across
 * time buckets, so users come from the demographics read model: its counters when neither `from` nor `to` is given
 * (every user ever seen), its event chains for a bounded range. The event counts come from the rollups.
 */
@Injectable()
export class DemographicsReport {
  constructor(
    private readonly reader: ReportReader,
    @Inject(REPORTER_CONFIG) private readonly config: ReporterConfig,
  ) {}

  generate(query: DemographicsQuery): Promise<DemographicsReportBody> {
    const range: Span = { from: query.from, to: query.to };
    const allTime = query.from === undefined && query.to === undefined;
    return this.reader.snapshot(
      async (run) => {
        if (!allTime) await assertUsersRetained(run, range);
        // Issued together: with REPORT_CONNECTIONS > 1 the sources are scanned in parallel, in one snapshot.
        const [events, facebook, tiktok] = await Promise.all([
          eventCounts(run, range, query.source),
          query.source === 'tiktok' ? undefined : this.facebook(run, range, allTime),
          query.source === 'facebook' ? undefined : this.tiktok(run, range, allTime),
        ]);
        const body: DemographicsReportBody = {
          filters: { from: toIso(query.from), to: toIso(query.to), source: query.source },
        };
        if (facebook) {
          const { users, ...rest } = facebook;
          body.facebook = { users, events: events.get('facebook') ?? 0, ...rest };
        }
        if (tiktok) {
          const { users, ...rest } = tiktok;
          body.tiktok = { users, events: events.get('tiktok') ?? 0, ...rest };
        }
        return body;
      },
      { connections: this.config.REPORT_CONNECTIONS },
    );
  }

  private async facebook(
    run: ReportQuery,
    range: Span,
    allTime: boolean,
  ): Promise<Omit<FacebookDemographics, 'events'>> {
    const limits = { countries: this.config.REPORT_TOP_COUNTRIES, cities: this.config.REPORT_TOP_CITIES };
    const rows = allTime ? await allTimeFacebookRows(run, limits) : await rangeFacebookRows(run, range, limits);

    const people = rows.filter((row) => row.kind === 'person');
    const users = people.reduce((sum, row) => sum + Number(row.users), 0);
    const genders = new Map<string, number>(GENDERS.map((gender) => [gender, 0]));
    const ageGroups = AGE_GROUPS.map(() => 0);
    let ageSum = 0;
    let aged = 0;
    for (const row of people) {
      const count = Number(row.users);
      if (row.gender !== null) genders.set(row.gender, (genders.get(row.gender) ?? 0) + count);
      if (row.age !== null) {
        ageGroups[bucketIndex(AGE_GROUP_FLOORS, row.age)]! += count;
        ageSum += row.age * count;
        aged += count;
      }
    }
    return {
      users,
      genders: [...genders].map(([gender, count]) => ({ gender, users: count })),
      ageGroups: AGE_GROUPS.map((range, index) => ({ range, users: ageGroups[index]! })),
      averageAge: aged === 0 ? null : halfUpHundredths(ageSum, aged),
      topCountries: rows
        .filter((row) => row.kind === 'country')
        .map((row) => ({ country: row.country!, users: Number(row.users) })),
      topCities: rows
        .filter((row) => row.kind === 'city')
        .map((row) => ({ city: row.city!, country: row.country!, users: Number(row.users) })),
    };
  }

  private async tiktok(run: ReportQuery, range: Span, allTime: boolean): Promise<Omit<TiktokDemographics, 'events'>> {
    const topCountries = this.config.REPORT_TOP_COUNTRIES;
    const [followers, places] = await Promise.all(
      allTime
        ? [allTimeFollowerFigures(run), allTimeTiktokPlaces(run, topCountries)]
        : [rangeFollowerFigures(run, range), rangeTiktokPlaces(run, range, topCountries)],
    );

    const devices = new Map<string, number>(TIKTOK_DEVICES.map((device) => [device, 0]));
    for (const row of places.filter((place) => place.kind === 'device')) devices.set(row.value, Number(row.users));
    return {
      users: followers.users,
      followers: { average: followers.average, median: followers.median, min: followers.min, max: followers.max },
      followerBuckets: FOLLOWER_BUCKETS.map((range, index) => ({ range, users: followers.buckets[index] ?? 0 })),
      topCountries: places
        .filter((row) => row.kind === 'country')
        .map((row) => ({ country: row.value, users: Number(row.users) })),
      devices: [...devices].map(([device, count]) => ({ device, users: count })),
    };
  }
}

/** Events per source in the range, from the count rollups and the raw edges. */
async function eventCounts(run: ReportQuery, range: Span, source: Source | undefined): Promise<Map<string, number>> {
  const rows = await eventsPerSource(run, range, source);
  return new Map(rows.map((row) => [row.source, Number(row.events)]));
}

/** `numerator / denominator` rounded half up to 2 decimals, in integers (exact while 200 × numerator < 2^53). */
const halfUpHundredths = (numerator: number, denominator: number) =>
  Math.floor((200 * numerator + denominator) / (2 * denominator)) / 100;
