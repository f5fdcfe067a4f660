import { HttpStatus, HttpException } from '@nestjs/common';

/** Why a request was refused 401, the `reason` label of `reporter_requests_unauthorized_total`. */
export const UNAUTHENTICATED_REASONS = ['missing', 'invalid'] as const;
export type UnauthenticatedReason = (typeof UNAUTHENTICATED_REASONS)[number];

/** Body of every 401 the reporter sends. */
interface UnauthorizedBody {
  statusCode: 401;
  error: 'Unauthorized';
  message: string;
}

/**
 * A report request without a valid API key (REPORTER_API_KEYS is set): answered 401 with a
 * `WWW-Authenticate: Bearer` challenge (RFC 6750), and `error="invalid_token"` when a key was sent but refused.
 */
export class UnauthenticatedError extends HttpException {
  override readonly name = 'UnauthenticatedError';
  readonly code = 'REPORTER.UNAUTHENTICATED';
  /** Headers of the answer, set by the reporter's error filter. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    readonly reason: UnauthenticatedReason,
    message: string,
  ) {
    const body: UnauthorizedBody = { statusCode: HttpStatus.UNAUTHORIZED, error: 'Unauthorized', message };
    super(body, HttpStatus.UNAUTHORIZED);
    this.headers = { 'www-authenticate': reason === 'missing' ? 'Bearer' : 'Bearer error="invalid_token"' };
  }
}
