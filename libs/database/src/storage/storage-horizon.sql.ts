import { Prisma } from '../generated/prisma/client';

/** Per partitioned table, the instant below which retention dropped its rows (no row: nothing dropped). */
export const STORAGE_HORIZONS_SQL = Prisma.sql`SELECT relation, dropped_before FROM storage_horizons`;

export interface StorageHorizonRow {
  relation: string;
  dropped_before: Date;
}
