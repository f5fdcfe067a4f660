import type { EventNormaliser, NormaliseContext, SourceEvent } from '@evp/collector';
import type { Source } from '@evp/contracts';
import { eventRowOf } from '@evp/testing';

/** The shared test fixture `eventRowOf` as the normaliser of one source, for the shared module's tests. */
export function plainNormaliser<S extends Source>(): EventNormaliser<S> {
  return (event: SourceEvent<S>, context: NormaliseContext) => eventRowOf(event, context);
}
