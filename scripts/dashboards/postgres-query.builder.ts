import { type Builder, type Dataquery } from '@grafana/grafana-foundation-sdk/cog';
import { type DataSourceRef } from '@grafana/grafana-foundation-sdk/common';

/** Shape of a raw-SQL query of Grafana's PostgreSQL datasource as stored in dashboard JSON. */
export interface PostgresQuery extends Dataquery {
  refId: string;
  datasource: DataSourceRef;
  /** `time_series` needs a `time` column; string columns become series labels. */
  format: 'time_series' | 'table';
  rawQuery: true;
  editorMode: 'code';
  rawSql: string;
}

/**
 * The foundation SDK has query builders for Prometheus but none for the PostgreSQL datasource; this one
 * produces the same JSON the Grafana query editor saves in code mode.
 */
export class PostgresQueryBuilder implements Builder<Dataquery> {
  private readonly query: PostgresQuery;

  constructor(datasource: DataSourceRef, rawSql: string) {
    this.query = {
      refId: 'A',
      datasource,
      format: 'table',
      rawQuery: true,
      editorMode: 'code',
      rawSql,
      // Marker method of the SDK's query union; JSON.stringify leaves it out.
      _implementsDataqueryVariant: () => undefined,
    };
  }

  refId(refId: string): this {
    this.query.refId = refId;
    return this;
  }

  format(format: PostgresQuery['format']): this {
    this.query.format = format;
    return this;
  }

  build(): PostgresQuery {
    return this.query;
  }
}
