/** The body is valid JSON but neither an array of events nor one event object (a number, a string…). */
export class UnsupportedBodyError extends Error {
  override readonly name = 'UnsupportedBodyError';
  readonly code = 'GATEWAY.UNSUPPORTED_BODY';

  constructor(readonly found: string) {
    super(`the body must be a JSON array of events or one event object, not ${found}`);
  }
}
