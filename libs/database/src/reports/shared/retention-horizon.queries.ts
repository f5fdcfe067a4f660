import { type PartitionedTable } from '../../storage/partition.sql';
import { STORAGE_HORIZONS_SQL, type StorageHorizonRow } from '../../storage/storage-horizon.sql';
import { type ReportQuery } from './report.query';

/**
 * The instant (epoch milliseconds) below which retention dropped the rows of `table`, read in the report's snapshot;
 * undefined when nothing was dropped.
 */
export async function retentionHorizon(run: ReportQuery, table: PartitionedTable): Promise<number | undefined> {
  const rows = await run<StorageHorizonRow>(STORAGE_HORIZONS_SQL);
  return rows.find((row) => row.relation === table)?.dropped_before.getTime();
}
