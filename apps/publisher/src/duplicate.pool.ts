import type { Random } from '@evp/synthetic';

/** An event as it went on the wire: its id and its exact JSON, so a duplicate is byte-identical. */
export interface SentEvent {
  eventId: string;
  json: string;
}

/** Recent events a duplicate is drawn from: enough to span the current and the previous batches. */
export const DUPLICATE_POOL_CAPACITY = 10_000;

/**
 * A fixed-size ring of recently generated events. Duplicates are drawn from it uniformly, so they
 * land in the same batch as their original or in a later one, the way at-least-once upstreams repeat.
 */
export class DuplicatePool {
  private readonly events: SentEvent[] = [];
  private nextSlot = 0;

  constructor(private readonly capacity: number = DUPLICATE_POOL_CAPACITY) {}

  get size(): number {
    return this.events.length;
  }

  remember(event: SentEvent): void {
    if (this.events.length < this.capacity) this.events.push(event);
    else this.events[this.nextSlot] = event;
    this.nextSlot = (this.nextSlot + 1) % this.capacity;
  }

  /** A uniformly chosen remembered event; undefined while the pool is empty. */
  draw(random: Random): SentEvent | undefined {
    return this.events.length === 0 ? undefined : random.pick(this.events);
  }
}
