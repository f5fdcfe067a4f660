/** Samples of the values the real publisher draws from, including the awkward ones (apostrophes, commas). */
export const COUNTRIES = [
  'United States', 'United Kingdom', 'Germany', 'France', 'Ukraine', 'Poland', 'Brazil', 'India', 'Japan',
  'Canada', 'Australia', 'Spain', 'Italy', 'Mexico', 'Nigeria', 'Kenya', 'Egypt', 'Turkey', 'Indonesia',
  'Argentina', "Cote d'Ivoire", 'Virgin Islands, U.S.', 'Korea, Republic of', "Lao People's Democratic Republic",
  'Bosnia and Herzegovina', 'Saint Kitts and Nevis', 'Netherlands', 'Sweden', 'Norway', 'Portugal',
] as const;

export const CITY_PREFIXES = ['North', 'South', 'East', 'West', 'New', 'Port', 'Lake', 'Fort', 'Saint', 'Old'] as const;
export const CITY_ROOTS = ['haven', 'ville', 'ton', 'burg', 'field', 'mouth', 'ford', 'view', 'side', 'port'] as const;
export const CITY_STEMS = ['Ash', 'Bright', 'Clear', 'Dun', 'Elm', 'Fair', 'Glen', 'Har', 'Iron', 'Kings'] as const;

export const FIRST_NAMES = [
  'Eliza', 'Marcus', 'Olena', 'Kenji', 'Amara', 'Lucas', 'Sofia', 'Noah', 'Priya', 'Mateo', 'Chloe', 'Ivan',
] as const;
export const LAST_NAMES = ['Smith', 'Kovalenko', 'Tanaka', 'Okafor', 'Silva', 'Muller', "O'Brien", 'Garcia'] as const;

export const PURCHASED_ITEMS = ['Sneakers', 'Headphones', 'Lipstick', 'Backpack', 'Phone case', 'T-shirt'] as const;
