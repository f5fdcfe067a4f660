import { randomBytes } from 'node:crypto';

/** Two lowercase hex digits for every byte value, so ids are built by lookup instead of per-digit formatting. */
const HEX_BYTES = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));
const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyz0123456789';
const UUID_VARIANTS = ['8', '9', 'a', 'b'];

const hex32 = (n: number) =>
  HEX_BYTES[n >>> 24]! + HEX_BYTES[(n >>> 16) & 0xff]! + HEX_BYTES[(n >>> 8) & 0xff]! + HEX_BYTES[n & 0xff]!;

/**
 * A small, fast, seedable pseudo-random source (mulberry32), so generated loads can be replayed exactly.
 * The emulator draws millions of values a second from it, so the hot helpers avoid allocations.
 */
export class Random {
  private state: number;

  constructor(seed: number = randomBytes(4).readUInt32LE(0)) {
    this.state = seed >>> 0;
  }

  /** Uniform 32-bit unsigned integer. */
  uint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uint32() / 4_294_967_296;
  }

  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  alphanumeric(length: number): string {
    let out = '';
    for (let i = 0; i < length; i += 1) out += ALPHANUMERIC[Math.floor(this.next() * ALPHANUMERIC.length)];
    return out;
  }

  /** A version-4 UUID drawn from this source (repeatable under a seed, unlike crypto.randomUUID). */
  uuid(): string {
    const a = hex32(this.uint32());
    const b = hex32(this.uint32());
    const c = this.uint32();
    const cHex = hex32(c);
    // Version nibble 4 and variant bits 10xx, as RFC 9562 lays out a random UUID.
    return `${a}-${b.slice(0, 4)}-4${b.slice(5)}-${UUID_VARIANTS[c >>> 30]!}${cHex.slice(1, 4)}-${cHex.slice(4)}${hex32(this.uint32())}`;
  }

  /** A decimal string with two places, uniform in [min, max]. */
  amount(min: number, max: number): string {
    return (this.int(min * 100, max * 100) / 100).toFixed(2);
  }
}
