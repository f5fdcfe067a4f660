/** Where the ingest logic hands events to the broker (an `EventSink`). */
export const EVENT_SINK = Symbol('GATEWAY.EVENT_SINK');

/** The gateway's validated configuration (`GatewayConfig`). */
export const GATEWAY_CONFIG = Symbol('GATEWAY.CONFIG');

/** The webhook path and the aliases public publishers are configured with. */
export const WEBHOOK_ROUTES = ['/webhook', '/events', '/webhooks'] as const;
