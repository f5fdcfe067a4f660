/** The body is valid JSON but neither an array of events nor one event object (a number, a string…). */
export class UnsupportedBodyError extends Error {
  override readonly name = 'UnsupportedBodyError';
  readonly code = 'GATEWAY.UNSUPPORTED_BODY';

  constructor(readonly found: string) {
    super(`the body must be a JSON array of events or one event object, not ${found}`);
  }
}

/** The body holds more items than MAX_EVENTS_PER_BODY: refused whole (413) before anything of it is published. */
export class TooManyEventsError extends Error {
  override readonly name = 'TooManyEventsError';
  readonly code = 'GATEWAY.TOO_MANY_EVENTS';

  constructor(readonly limit: number) {
    super(`the body holds more than ${limit} events; send at most ${limit} events per request`);
  }
}
