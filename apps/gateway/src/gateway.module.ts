import { Module, type Type } from '@nestjs/common';
import { natsAuthOf, streamLimitsOf } from '@evp/config';
import { eventsStream, ingestionStream, JetStreamModule } from '@evp/messaging';
import { ObservabilityModule } from '@evp/observability';
import { WebhookAuthenticator } from './auth/webhook.authenticator';
import { EVENT_SINK, GATEWAY_CONFIG } from './gateway.constants';
import { type GatewayConfig } from './gateway.config';
import { EventBatchReaders } from './ingest/event-batch.readers';
import { EventIngestService } from './ingest/event-ingest.service';
import { IngestReplyBuilder } from './ingest/ingest-reply.builder';
import { IngestMetrics } from './ingest/ingest.metrics';
import { IngestionRecorder } from './ingest/ingestion.recorder';
import { JetStreamEventSink } from './ingest/jetstream-event.sink';
import { BodyDecoder } from './intake/body-decoding';
import { InFlightRequests } from './intake/in-flight.requests';
import { WebhookController } from './intake/webhook.controller';
import { senderQuotasProvider } from './quota/sender.quotas';

/**
 * The gateway's root module for one configuration. Built by a function because the configuration decides
 * the imported modules (stream names, NATS servers); tests build one per suite with their own streams.
 */
export function createGatewayModule(config: GatewayConfig): Type {
  const limits = streamLimitsOf(config);
  @Module({
    imports: [
      ObservabilityModule.forRoot({ service: 'gateway', logLevel: config.LOG_LEVEL, logFormat: config.LOG_FORMAT }),
      JetStreamModule.forRoot({
        servers: config.NATS_URL,
        auth: natsAuthOf(config),
        connectionName: 'gateway',
        streams: [
          eventsStream(config.EVENTS_STREAM, config.EVENTS_SUBJECT_PREFIX, limits.events),
          ingestionStream(config.EVENTS_STREAM, config.EVENTS_SUBJECT_PREFIX, limits.events.replicas),
        ],
        deadLetter: {
          stream: config.DEAD_LETTER_STREAM,
          subjectPrefix: config.DEAD_LETTER_SUBJECT_PREFIX,
          ...limits.deadLetter,
        },
        publishTimeoutMs: config.PUBLISH_TIMEOUT_MS,
        // In-flight requests get most of the shutdown budget first (InFlightRequests); this bounds what follows.
        shutdownTimeoutMs: Math.max(1_000, Math.floor(config.SHUTDOWN_TIMEOUT_MS / 5)),
      }),
    ],
    controllers: [WebhookController],
    providers: [
      { provide: GATEWAY_CONFIG, useValue: config },
      { provide: EVENT_SINK, useClass: JetStreamEventSink },
      {
        provide: IngestReplyBuilder,
        useValue: new IngestReplyBuilder({
          maxReportedErrors: config.MAX_REPORTED_ERRORS,
          retryAfterSeconds: config.RETRY_AFTER_SECONDS,
        }),
      },
      EventBatchReaders,
      EventIngestService,
      IngestionRecorder,
      IngestMetrics,
      InFlightRequests,
      WebhookAuthenticator,
      BodyDecoder,
      senderQuotasProvider,
    ],
  })
  class GatewayModule {}
  return GatewayModule;
}
