/*
 * Values the seeder draws from, like the real publisher's (including the awkward ones: apostrophes, commas).
 * Ordered most frequent first: the seeder skews its picks toward the start of each list, so "top" reports have
 * clear leaders instead of ties.
 */
export const SEED_COUNTRIES = [
  'United States',
  'India',
  'Brazil',
  'United Kingdom',
  'Germany',
  'Indonesia',
  'Mexico',
  'France',
  'Japan',
  'Turkey',
  'Ukraine',
  'Poland',
  'Canada',
  'Spain',
  'Italy',
  'Nigeria',
  'Egypt',
  'Australia',
  'Argentina',
  'Kenya',
  'Netherlands',
  'Sweden',
  "Cote d'Ivoire",
  'Korea, Republic of',
  'Portugal',
  'Norway',
  'Virgin Islands, U.S.',
  "Lao People's Democratic Republic",
  'Bosnia and Herzegovina',
  'Saint Kitts and Nevis',
] as const;

const CITY_STEMS = ['Ash', 'Bright', 'Clear', 'Dun', 'Elm', 'Fair', 'Glen', 'Har', 'Iron', 'Kings'] as const;
const CITY_ROOTS = ['haven', 'ville', 'ton', 'burg', 'field', 'mouth', 'ford', 'view', 'side', 'port'] as const;
/** 100 city names; each country gets five of them. */
export const SEED_CITIES = CITY_STEMS.flatMap((stem) => CITY_ROOTS.map((root) => `${stem}${root}`));
export const SEED_CITIES_PER_COUNTRY = 5;

export const SEED_FIRST_NAMES = [
  'Eliza',
  'Marcus',
  'Olena',
  'Kenji',
  'Amara',
  'Lucas',
  'Sofia',
  'Noah',
  'Priya',
  'Mateo',
  'Chloe',
  'Ivan',
] as const;
export const SEED_LAST_NAMES = [
  'Smith',
  'Kovalenko',
  'Tanaka',
  'Okafor',
  'Silva',
  'Muller',
  "O'Brien",
  'Garcia',
] as const;
export const SEED_PURCHASED_ITEMS = [
  'Sneakers',
  'Headphones',
  'Lipstick',
  'Backpack',
  'Phone case',
  'T-shirt',
] as const;
