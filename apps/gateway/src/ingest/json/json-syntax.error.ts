/** The request body is not valid JSON; `position` is the byte offset in the body where parsing failed. */
export class JsonSyntaxError extends Error {
  override readonly name = 'JsonSyntaxError';
  readonly code = 'GATEWAY.MALFORMED_JSON';

  constructor(
    readonly reason: string,
    readonly position: number,
    options?: { cause?: unknown },
  ) {
    super(`${reason} at position ${position}`, options);
  }
}
