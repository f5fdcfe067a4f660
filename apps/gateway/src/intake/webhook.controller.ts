import { Controller, Logger, Post, Req, Res } from '@nestjs/common';
import { CORRELATION_ID_HEADER } from '@evp/contracts';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { WEBHOOK_ROUTES } from '../gateway.constants';
import { EventIngestService } from '../ingest/event-ingest.service';
import { IngestReplyBuilder, type WebhookReply } from '../ingest/ingest-reply.builder';
import { senderOf } from '../quota/sender-quota.hooks';
import { SenderQuotas } from '../quota/sender.quotas';
import { InFlightRequests } from './in-flight.requests';

/**
 * `POST /webhook` (and its aliases): a JSON array of events or one event object. Its events are charged to its
 * sender's quota once counted (a sender over it is refused before, see installSenderQuotas).
 */
@Controller()
export class WebhookController {
  private readonly logger = new Logger(WebhookController.name);

  constructor(
    private readonly ingest: EventIngestService,
    private readonly replies: IngestReplyBuilder,
    private readonly inFlight: InFlightRequests,
    private readonly quotas: SenderQuotas,
  ) {}

  @Post(WEBHOOK_ROUTES.map((route) => route.slice(1)))
  async receive(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    this.inFlight.hold(request.raw);
    // The bootstrap has already replaced a missing or unusable id in the header with a fresh one.
    const correlationId = String(request.headers[CORRELATION_ID_HEADER]);
    // Bodies arrive as raw bytes (see the intake set-up); an empty POST has none.
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    let answer: WebhookReply;
    try {
      const result = await this.ingest.ingest(body, correlationId);
      this.quotas.charge(senderOf(request), result.accepted + result.rejected);
      answer = this.replies.result(result, correlationId);
    } catch (error) {
      answer = this.replies.failure(error, correlationId);
    } finally {
      this.inFlight.release(request.raw);
    }
    void reply.code(answer.statusCode).headers(answer.headers).send(answer.body);

    const summary = {
      statusCode: answer.statusCode,
      accepted: 'accepted' in answer.body ? answer.body.accepted : 0,
      rejected: 'rejected' in answer.body ? answer.body.rejected : 0,
      duplicates: 'duplicates' in answer.body ? answer.body.duplicates : 0,
      bytes: body.length,
      // Since the request arrived, body upload included.
      durationMs: Math.round(reply.elapsedTime),
    };
    if (answer.statusCode >= 500)
      this.logger.warn({ ...summary, error: answer.body.message }, 'webhook batch not stored');
    else this.logger.log(summary, 'webhook batch handled');
  }
}
