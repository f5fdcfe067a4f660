import { Prisma } from '../../generated/prisma/client';
import { type Span } from './time-range.split';

/** An instant as a bound parameter, cast explicitly so PostgreSQL never guesses its type or time zone. */
export const instantSql = (epochMs: number): Prisma.Sql => Prisma.sql`${new Date(epochMs).toISOString()}::timestamptz`;

/**
 * `column` within any of the spans (FALSE for none). `column` is one of the report's own identifiers,
 * never user input; the instants are bound parameters.
 */
export function withinSpans(column: string, spans: readonly Span[]): Prisma.Sql {
  if (spans.length === 0) return Prisma.sql`FALSE`;
  const target = Prisma.raw(column);
  const conditions = spans.map(({ from, to }) => {
    const bounds = [
      ...(from === undefined ? [] : [Prisma.sql`${target} >= ${instantSql(from)}`]),
      ...(to === undefined ? [] : [Prisma.sql`${target} < ${instantSql(to)}`]),
    ];
    return bounds.length === 0 ? Prisma.sql`TRUE` : Prisma.sql`(${Prisma.join(bounds, ' AND ')})`;
  });
  return conditions.length === 1 ? conditions[0]! : Prisma.sql`(${Prisma.join(conditions, ' OR ')})`;
}

/** Conditions joined with AND; an empty list is TRUE. */
export function allOf(conditions: readonly Prisma.Sql[]): Prisma.Sql {
  return conditions.length === 0 ? Prisma.sql`TRUE` : Prisma.join(conditions, ' AND ');
}

/** Branches joined with UNION ALL. */
export function unionAll(branches: readonly Prisma.Sql[]): Prisma.Sql {
  return Prisma.join(branches, ' UNION ALL ');
}
