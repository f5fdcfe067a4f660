import { type Prisma } from '../../generated/prisma/client';

/**
 * Runs one parameterised statement inside the caller's report snapshot; rows come back as `pg` returns them (int8
 * and numeric as exact strings). Statements issued together may run at the same time on different connections.
 * The reporter's reader implements it; every report query of this lib takes one.
 */
export type ReportQuery = <Row>(statement: Prisma.Sql) => Promise<Row[]>;
