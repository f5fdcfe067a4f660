import { type IncomingMessage } from 'node:http';
import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { CORRELATION_ID_HEADER } from '@evp/contracts';
import { METRICS_REGISTRY } from '@evp/observability';
import { Counter, type Registry } from 'prom-client';
import { GATEWAY_CONFIG } from '../gateway.constants';
import { type GatewayConfig } from '../gateway.config';
import {
  type UnauthorizedReason,
  UNAUTHORIZED_REASONS,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TOKEN_HEADER,
  WEBHOOK_TOKEN_PARAMETER,
  type WebhookCredentials,
  WebhookAuthVerifier,
} from './webhook-auth.verifier';

/** A webhook request without valid credentials: 401 with the gateway's JSON error shape. */
export class WebhookUnauthorizedError extends HttpException {
  override readonly name = 'WebhookUnauthorizedError';
  readonly code = 'GATEWAY.UNAUTHORIZED';

  constructor(
    readonly reason: UnauthorizedReason,
    message: string,
    correlationId: string,
  ) {
    super({ error: 'GATEWAY.UNAUTHORIZED', message, correlationId }, HttpStatus.UNAUTHORIZED);
  }
}

/** Who sent each authenticated request in flight; requests are dropped with their objects. */
const senders = new WeakMap<IncomingMessage, string>();

/**
 * The sender a webhook request was authenticated as: `token-<n>` (the n-th of WEBHOOK_TOKENS, by position, so
 * never a secret), or `signature` (a valid WEBHOOK_HMAC_SECRET signature); undefined while authentication is off,
 * or before a signed request's body has been checked. Per-sender limits key on it.
 */
export function authenticatedSender(request: { raw: IncomingMessage }): string | undefined {
  return senders.get(request.raw);
}

interface WebhookRequest {
  raw: IncomingMessage;
  headers: IncomingMessage['headers'];
  query: unknown;
}

/**
 * Applies WEBHOOK_TOKENS and WEBHOOK_HMAC_SECRET to webhook requests (see {@link WebhookAuthVerifier}), counts every
 * refusal in `gateway_requests_unauthorized_total{reason}` and remembers each accepted request's sender.
 */
@Injectable()
export class WebhookAuthenticator {
  private readonly verifier: WebhookAuthVerifier;
  private readonly unauthorized: Counter<'reason'>;
  /** Requests let through on a signature header, until their body is checked. */
  private readonly awaitingSignature = new WeakSet<IncomingMessage>();

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig, @Inject(METRICS_REGISTRY) registry: Registry) {
    this.verifier = new WebhookAuthVerifier(config.WEBHOOK_TOKENS, config.WEBHOOK_HMAC_SECRET);
    this.unauthorized = new Counter({
      name: 'gateway_requests_unauthorized_total',
      help: 'Webhook requests refused 401, by reason (missing, invalid_token, invalid_signature).',
      labelNames: ['reason'],
      registers: [registry],
    });
    for (const reason of UNAUTHORIZED_REASONS) this.unauthorized.inc({ reason }, 0);
  }

  /**
   * Before the body is read: the refusal when the request cannot be accepted whatever its body. A signed request
   * is let through to have its signature checked by {@link checkBody}.
   */
  checkHead(request: WebhookRequest): WebhookUnauthorizedError | undefined {
    const check = this.verifier.checkHead(credentialsOf(request));
    if (check.verdict === 'refused') return this.refuse(request, check.reason, check.message);
    if (check.verdict === 'signed') this.awaitingSignature.add(request.raw);
    else if (check.sender !== undefined) senders.set(request.raw, check.sender);
    return undefined;
  }

  /** Once the raw body is read, before it is parsed: the refusal of a signed request whose signature is wrong. */
  checkBody(request: WebhookRequest, body: Buffer): WebhookUnauthorizedError | undefined {
    if (!this.awaitingSignature.delete(request.raw)) return undefined;
    const check = this.verifier.checkBody(headerOf(request, WEBHOOK_SIGNATURE_HEADER) ?? '', body);
    if (check.verdict === 'refused') return this.refuse(request, check.reason, check.message);
    senders.set(request.raw, check.sender);
    return undefined;
  }

  private refuse(request: WebhookRequest, reason: UnauthorizedReason, message: string): WebhookUnauthorizedError {
    this.unauthorized.inc({ reason });
    return new WebhookUnauthorizedError(reason, message, String(request.headers[CORRELATION_ID_HEADER]));
  }
}

function headerOf(request: WebhookRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function credentialsOf(request: WebhookRequest): WebhookCredentials {
  const query = request.query as Record<string, unknown> | undefined;
  const fromQuery = query?.[WEBHOOK_TOKEN_PARAMETER];
  const token = headerOf(request, WEBHOOK_TOKEN_HEADER) ?? (typeof fromQuery === 'string' ? fromQuery : undefined);
  return { token, signature: headerOf(request, WEBHOOK_SIGNATURE_HEADER) };
}
