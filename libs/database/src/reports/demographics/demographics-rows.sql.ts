import { Prisma } from '../../generated/prisma/client';

/** Entries in the demographics report's top lists. */
export interface TopLimits {
  countries: number;
  cities: number;
}

/**
 * The final SELECT of a Facebook statement (rows as `FacebookRow`), over the statement's CTEs `people (gender, age,
 * users)` and `places (country, city, users)`, places holding only rows with a country.
 */
export const facebookRowsSelect = (limits: TopLimits): Prisma.Sql => Prisma.sql`
    SELECT 'person' AS kind, gender, age, NULL AS country, NULL AS city, users::int8 AS users FROM people
    UNION ALL (
      SELECT 'country', NULL, NULL, country, NULL, sum(users)::int8 FROM places
      GROUP BY country ORDER BY sum(users) DESC, country COLLATE "C" LIMIT ${limits.countries}
    )
    UNION ALL (
      SELECT 'city', NULL, NULL, country, city, users::int8 FROM places WHERE city IS NOT NULL
      ORDER BY users DESC, city COLLATE "C", country COLLATE "C" LIMIT ${limits.cities}
    )`;

/**
 * The final SELECT of a TikTok places statement (rows as `TiktokPlaceRow`), over its CTEs `countries (value,
 * users)` and `devices (value, users)`.
 */
export const tiktokPlaceRowsSelect = (topCountries: number): Prisma.Sql => Prisma.sql`
    (SELECT 'country' AS kind, value, users::int8 AS users FROM countries ORDER BY users DESC, value COLLATE "C" LIMIT ${topCountries})
    UNION ALL
    SELECT 'device', value, users::int8 FROM devices`;
