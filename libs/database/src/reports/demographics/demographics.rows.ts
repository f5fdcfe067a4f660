/** What the demographics statements return; both ways of computing them (over a range, or all time) share these. */

/** A Facebook statement's rows: users per (gender, age), then the top countries and top cities. */
export interface FacebookRow {
  kind: 'person' | 'country' | 'city';
  gender: string | null;
  age: number | null;
  country: string | null;
  city: string | null;
  users: string;
}

/** TikTok follower figures over the users with a followers value; `buckets` in FOLLOWER_BUCKETS order. */
export interface FollowerFigures {
  /** Every TikTok user, with or without a followers value. */
  users: number;
  average: number | null;
  median: number | null;
  min: number | null;
  max: number | null;
  buckets: number[];
}

/** A TikTok statement's rows: the top countries and every device, of the users' earliest top-funnel events. */
export interface TiktokPlaceRow {
  kind: 'country' | 'device';
  value: string;
  users: string;
}

/** Lower bounds of FOLLOWER_BUCKETS, in the same order. */
export const FOLLOWER_BUCKET_FLOORS = [0, 1_000, 10_000, 100_000, 1_000_000];

/** Index of the last floor not above the value. */
export function bucketIndex(floors: readonly number[], value: number): number {
  let index = 0;
  while (index + 1 < floors.length && value >= floors[index + 1]!) index++;
  return index;
}
