import { createHash, timingSafeEqual } from 'node:crypto';

/** SHA-256 digests have one length whatever the secret's, which `timingSafeEqual` needs and which hides the length. */
const digestOf = (secret: string) => createHash('sha256').update(secret, 'utf8').digest();

/**
 * Finds which of the configured secrets (API keys, webhook tokens) a client sent, in constant time: the sent value is
 * compared with every configured one whatever the outcome, so the answer time tells nothing about which came close.
 */
export class SecretMatcher {
  private readonly digests: Buffer[];

  constructor(secrets: readonly string[]) {
    this.digests = secrets.map(digestOf);
  }

  /** False when no secret is configured: whatever it guards is open. */
  get enabled(): boolean {
    return this.digests.length > 0;
  }

  /** The position of the sent secret in the configured list, or -1 when it is none of them. */
  indexOf(sent: string): number {
    const digest = digestOf(sent);
    let found = -1;
    for (const [index, candidate] of this.digests.entries()) {
      if (timingSafeEqual(digest, candidate) && found === -1) found = index;
    }
    return found;
  }
}
