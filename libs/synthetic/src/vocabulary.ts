/**
 * The values the real publisher draws from (its generator uses faker's English locale), including the
 * awkward ones a consumer must survive: apostrophes, commas, ampersands and parentheses in country names.
 */
// prettier-ignore
export const COUNTRIES = [
  'Afghanistan', 'Aland Islands', 'Albania', 'Algeria', 'American Samoa', 'Andorra', 'Angola', 'Anguilla',
  'Antarctica', 'Antigua and Barbuda', 'Argentina', 'Armenia', 'Aruba', 'Australia', 'Austria', 'Azerbaijan',
  'Bahamas', 'Bahrain', 'Bangladesh', 'Barbados', 'Belarus', 'Belgium', 'Belize', 'Benin', 'Bermuda', 'Bhutan',
  'Bolivia', 'Bonaire, Sint Eustatius and Saba', 'Bosnia and Herzegovina', 'Botswana', 'Bouvet Island', 'Brazil',
  'British Indian Ocean Territory (Chagos Archipelago)', 'Brunei Darussalam', 'Bulgaria', 'Burkina Faso', 'Burundi',
  'Cambodia', 'Cameroon', 'Canada', 'Cape Verde', 'Cayman Islands', 'Central African Republic', 'Chad', 'Chile',
  'China', 'Christmas Island', 'Cocos (Keeling) Islands', 'Colombia', 'Comoros', 'Congo', 'Cook Islands', 'Costa Rica',
  "Cote d'Ivoire", 'Croatia', 'Cuba', 'Curacao', 'Cyprus', 'Czechia', 'Democratic Republic of the Congo', 'Denmark',
  'Djibouti', 'Dominica', 'Dominican Republic', 'Ecuador', 'Egypt', 'El Salvador', 'Equatorial Guinea', 'Eritrea',
  'Estonia', 'Eswatini', 'Ethiopia', 'Faroe Islands', 'Falkland Islands (Malvinas)', 'Fiji', 'Finland', 'France',
  'French Guiana', 'French Polynesia', 'French Southern Territories', 'Gabon', 'Gambia', 'Georgia', 'Germany', 'Ghana',
  'Gibraltar', 'Greece', 'Greenland', 'Grenada', 'Guadeloupe', 'Guam', 'Guatemala', 'Guernsey', 'Guinea',
  'Guinea-Bissau', 'Guyana', 'Haiti', 'Heard Island and McDonald Islands', 'Holy See (Vatican City State)',
  'Honduras', 'Hong Kong', 'Hungary', 'Iceland', 'India', 'Indonesia', 'Iran', 'Iraq', 'Ireland', 'Isle of Man',
  'Israel', 'Italy', 'Jamaica', 'Japan', 'Jersey', 'Jordan', 'Kazakhstan', 'Kenya', 'Kiribati',
  "Democratic People's Republic of Korea", 'Korea, Republic of', 'Kuwait', 'Kyrgyz Republic',
  "Lao People's Democratic Republic", 'Latvia', 'Lebanon', 'Lesotho', 'Liberia', 'Libyan Arab Jamahiriya',
  'Liechtenstein', 'Lithuania', 'Luxembourg', 'Macao', 'Madagascar', 'Malawi', 'Malaysia', 'Maldives', 'Mali', 'Malta',
  'Marshall Islands', 'Martinique', 'Mauritania', 'Mauritius', 'Mayotte', 'Mexico', 'Micronesia', 'Moldova', 'Monaco',
  'Mongolia', 'Montenegro', 'Montserrat', 'Morocco', 'Mozambique', 'Myanmar', 'Namibia', 'Nauru', 'Nepal',
  'Netherlands', 'New Caledonia', 'New Zealand', 'Nicaragua', 'Niger', 'Nigeria', 'Niue', 'Norfolk Island',
  'North Macedonia', 'Northern Mariana Islands', 'Norway', 'Oman', 'Pakistan', 'Palau', 'Palestine', 'Panama',
  'Papua New Guinea', 'Paraguay', 'Peru', 'Philippines', 'Pitcairn Islands', 'Poland', 'Portugal', 'Puerto Rico',
  'Qatar', 'Reunion', 'Romania', 'Russian Federation', 'Rwanda', 'Saint Barthelemy', 'Saint Helena',
  'Saint Kitts and Nevis', 'Saint Lucia', 'Saint Martin', 'Saint Pierre and Miquelon',
  'Saint Vincent and the Grenadines', 'Samoa', 'San Marino', 'Sao Tome and Principe', 'Saudi Arabia', 'Senegal',
  'Serbia', 'Seychelles', 'Sierra Leone', 'Singapore', 'Sint Maarten', 'Slovakia', 'Slovenia', 'Solomon Islands',
  'Somalia', 'South Africa', 'South Georgia and the South Sandwich Islands', 'South Sudan', 'Spain', 'Sri Lanka',
  'Sudan', 'Suriname', 'Svalbard & Jan Mayen Islands', 'Sweden', 'Switzerland', 'Syrian Arab Republic', 'Taiwan',
  'Tajikistan', 'Tanzania', 'Thailand', 'Timor-Leste', 'Togo', 'Tokelau', 'Tonga', 'Trinidad and Tobago', 'Tunisia',
  'Turkey', 'Turkmenistan', 'Turks and Caicos Islands', 'Tuvalu', 'Uganda', 'Ukraine', 'United Arab Emirates',
  'United Kingdom', 'United States of America', 'United States Minor Outlying Islands', 'Uruguay', 'Uzbekistan',
  'Vanuatu', 'Venezuela', 'Vietnam', 'Virgin Islands, British', 'Virgin Islands, U.S.', 'Wallis and Futuna',
  'Western Sahara', 'Yemen', 'Zambia', 'Zimbabwe',
] as const;

/** Faker-style fake city names: `<prefix> <name><suffix>`, `<prefix> <name>`, `<name><suffix>`. */
export const CITY_PREFIXES = ['North', 'East', 'West', 'South', 'New', 'Lake', 'Port', 'Fort'] as const;
// prettier-ignore
export const CITY_ROOTS = [
  'town', 'ton', 'land', 'ville', 'berg', 'burgh', 'borough', 'bury', 'view', 'port', 'mouth', 'stad', 'furt',
  'chester', 'fort', 'haven', 'side', 'shire',
] as const;
// prettier-ignore
export const CITY_STEMS = [
  'Ash', 'Bright', 'Clear', 'Dun', 'Elm', 'Fair', 'Glen', 'Har', 'Iron', 'Kings', 'Alden', 'Brook', 'Cole', 'Dray',
  'Emer', 'Frank', 'Gran', 'Hollis', 'Jerald', 'Kassandra', 'Lem', 'Marvin', 'Nor', 'Orland', 'Pearl', 'Quinn',
] as const;

// prettier-ignore
export const FIRST_NAMES = [
  'Eliza', 'Marcus', 'Olena', 'Kenji', 'Amara', 'Lucas', 'Sofia', 'Noah', 'Priya', 'Mateo', 'Chloe', 'Ivan',
  'Adolph', 'Bernadette', 'Cletus', 'Dayana', 'Emmett', 'Flossie', 'Gideon', 'Hermina', 'Isaiah', 'Jaylen',
  'Kristofer', 'Lavada', 'Mozelle', 'Nikolas', 'Otilia', 'Pietro', 'Queenie', 'Rosalind', 'Stanton', 'Tressa',
] as const;
// prettier-ignore
export const LAST_NAMES = [
  'Smith', 'Kovalenko', 'Tanaka', 'Okafor', 'Silva', 'Muller', "O'Brien", 'Garcia', "O'Keefe", 'Bergstrom',
  'Cummerata', 'Dach', 'Ebert', 'Feil', 'Gutmann', 'Hackett', 'Jaskolski', 'Kuhlman', 'Lakin', 'Mraz', 'Nienow',
] as const;

// prettier-ignore
export const PURCHASED_ITEMS = [
  'Sneakers', 'Headphones', 'Lipstick', 'Backpack', 'Phone case', 'T-shirt', 'Smart watch', 'Sunglasses',
  'Water bottle', 'Yoga mat', 'Desk lamp', 'Gaming mouse',
] as const;
