import { type DataSourceRef } from '@grafana/grafana-foundation-sdk/common';

/** Provisioned in deploy/grafana/provisioning/datasources/datasources.yml with this uid. */
export const PROMETHEUS_DATASOURCE = { type: 'prometheus', uid: 'evp-prometheus' } as const satisfies DataSourceRef;

/** Provisioned in deploy/grafana/provisioning/datasources/datasources.yml with this uid (read-only role). */
export const POSTGRES_DATASOURCE = {
  type: 'grafana-postgresql-datasource',
  uid: 'evp-postgres',
} as const satisfies DataSourceRef;
