import { BadRequestException } from '@nestjs/common';

/** One problem with one query parameter, as listed in a 400 answer. */
export interface ParameterIssue {
  parameter: string;
  message: string;
}

/** Body of every 400 the reporter sends. */
export interface BadRequestBody {
  error: 'Bad Request';
  message: string;
  issues: ParameterIssue[];
}

/** A report request whose query parameters do not validate; answered 400 with each bad parameter named. */
export class InvalidReportQueryError extends BadRequestException {
  override readonly name = 'InvalidReportQueryError';
  readonly code = 'REPORTER.INVALID_QUERY';

  constructor(readonly issues: ParameterIssue[]) {
    const body: BadRequestBody = {
      error: 'Bad Request',
      message: issues.map(({ parameter, message }) => `${parameter}: ${message}`).join('; '),
      issues,
    };
    super(body);
  }
}
