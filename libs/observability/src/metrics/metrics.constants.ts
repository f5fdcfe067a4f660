/** DI token of the service's prom-client Registry: one per application, so tests can run several in one process. */
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');
