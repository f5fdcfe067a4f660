import { createHash } from 'node:crypto';
import type { Source } from '@evp/contracts';

/** A stored id: the uuid key every index holds, and the id's own text when the key alone cannot give it back. */
export interface StoredId {
  key: string;
  /** Null when the id is canonical, so its text is rebuilt from the key (view `events_as_received`). */
  text: string | null;
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const CANONICAL_USER_ID = new RegExp(`^${UUID}$`);
const CANONICAL_EVENT_ID: Record<Source, RegExp> = {
  facebook: new RegExp(`^fb-(${UUID})$`),
  tiktok: new RegExp(`^ttk-(${UUID})$`),
};

/** The md5 of the text as a uuid, as PostgreSQL's `md5(text)::uuid` (the legacy rows' keys, legacy-layout.migrator.ts). */
function hashKey(text: string): string {
  const hex = createHash('md5').update(text, 'utf8').digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The key of an event id: the real publisher's ids are `fb-<uuid>` / `ttk-<uuid>` (lower-case), whose uuid is the
 * key; any other id is keyed by the md5 of its text and keeps that text. Equal ids always get equal keys.
 */
export function eventKeyOf(eventId: string, source: Source): StoredId {
  const canonical = CANONICAL_EVENT_ID[source].exec(eventId);
  return canonical ? { key: canonical[1] as string, text: null } : { key: hashKey(eventId), text: eventId };
}

/** The key of a user id: a lower-case uuid is its own key; any other id is keyed by the md5 of its text. */
export function userKeyOf(userId: string): StoredId {
  return CANONICAL_USER_ID.test(userId) ? { key: userId, text: null } : { key: hashKey(userId), text: userId };
}
