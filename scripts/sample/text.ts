import type { Rand } from './random.ts';

// Names and words deliberately mix ASCII with accents, CJK and emoji: a migrator
// must carry every code point through unchanged.

export const FIRST_NAMES = [
  'Alice', 'Bruno', 'Chloé', 'Dmitri', 'Émile', 'Fatima', 'Günter', 'Hana', 'Ingrid', 'José',
  'Kenji', 'Léa', 'Mateo', 'Nadia', 'Oskar', 'Priya', 'Quentin', 'Renée', 'Søren', 'Tomás',
  'Uma', 'Vítor', 'Wen', 'Xavier', 'Yūko', 'Zoë', '太郎', '花子', 'Олег', 'Ana-María',
] as const;

export const LAST_NAMES = [
  'Smith', 'Müller', 'García', "O'Brien", 'Nguyen', 'Dubois', 'Rossi', 'Kowalski', 'Sørensen', 'Yamada',
  'Ivanova', 'Öztürk', 'Silva', 'Jansen', 'Kim', 'Lefèvre', 'Novák', 'Haddad', 'Ó Súilleabháin', '山田',
] as const;

/** ASCII transliterations used for e-mail local parts, index-aligned with the lists above. */
export const FIRST_ASCII = [
  'alice', 'bruno', 'chloe', 'dmitri', 'emile', 'fatima', 'gunter', 'hana', 'ingrid', 'jose',
  'kenji', 'lea', 'mateo', 'nadia', 'oskar', 'priya', 'quentin', 'renee', 'soren', 'tomas',
  'uma', 'vitor', 'wen', 'xavier', 'yuko', 'zoe', 'taro', 'hanako', 'oleg', 'ana-maria',
] as const;

export const LAST_ASCII = [
  'smith', 'muller', 'garcia', 'obrien', 'nguyen', 'dubois', 'rossi', 'kowalski', 'sorensen', 'yamada',
  'ivanova', 'ozturk', 'silva', 'jansen', 'kim', 'lefevre', 'novak', 'haddad', 'osuilleabhain', 'yamada',
] as const;

export const EMAIL_DOMAINS = ['example.com', 'example.org', 'mail.example.net', 'exemple.fr', 'beispiel.de'] as const;

export const CITIES = [
  ['Paris', 'FR'], ['München', 'DE'], ['Zürich', 'CH'], ['København', 'DK'], ['Kraków', 'PL'],
  ['São Paulo', 'BR'], ['東京', 'JP'], ['Montréal', 'CA'], ['Reykjavík', 'IS'], ['Porto', 'PT'],
  ['Austin', 'US'], ['Dublin', 'IE'], ['Milano', 'IT'], ['Sevilla', 'ES'], ['Amsterdam', 'NL'],
] as const;

export const STREETS = [
  'Rue de la Paix', 'Hauptstraße', 'Calle Mayor', 'Baker Street', 'Nørrebrogade', 'Via Roma',
  'Rua Augusta', 'Main St.', 'Chemin des Écoliers', 'Ulica Długa', '銀座通り', 'Königsallee',
] as const;

export const ADJECTIVES = [
  'Classic', 'Organic', 'Vintage', 'Compact', 'Deluxe', 'Rustic', 'Smart', 'Ergonomic',
  'Handmade', 'Wireless', 'Crème', 'Übercool', 'Petite', 'Nordic', '和風', 'Eco',
] as const;

export const NOUNS = [
  'Mug', 'Lamp', 'Backpack', 'Notebook', 'Kettle', 'Headphones', 'Chair', 'Scarf', 'Teapot',
  'Umbrella', 'Candle', 'Blender', 'Café Press', 'Bento Box', 'Fußmatte', 'Piñata', 'Jacket', 'Watch',
] as const;

export const COLORS = ['red', 'green', 'blue', 'black', 'white', 'beige', 'bordeaux', 'vert forêt'] as const;
export const SIZES = ['XS', 'S', 'M', 'L', 'XL'] as const;

export const WORDS = [
  'lorem', 'ipsum', 'quality', 'delivery', 'fast', 'naïve', 'façade', 'über', 'smörgåsbord',
  'coöperate', 'piñata', 'garçon', 'résumé', 'jalapeño', 'fiancée', '素晴らしい', 'とても', '👍',
  'great', 'value', 'broken', 'again', 'never', 'always', 'colour', 'price', 'box', 'gift',
] as const;

/**
 * Strings that trip naive escaping: quotes, backslashes, tabs, CRLF, decomposed
 * accents, emoji with modifiers and ZWJ, JSON- and SQL-looking text.
 */
export const TRICKY = [
  'Line one\nLine two\n\tindented with a tab',
  'She said "this is great" and left',
  "It's the customer's \"favourite\" — really",
  'Path: C:\\Users\\zoë\\Documents\\new\\table.txt',
  'Regex fan: ^\\d+(\\.\\d{2})?$ and \\n is not a newline here',
  '日本語のレビュー：とても良いです！\n二行目です。',
  'Great value 👍🏽 would buy again 🎉 👨‍👩‍👧',
  'Crème brûlée, Müsli & Smørrebrød',
  'Decomposed: cafe\u0301 vs composed: café',
  'Windows line ending\r\nsecond line',
  '{"looks": "like json", "n": 1}',
  "Robert'); DROP TABLE users; --",
  'trailing spaces   ',
  '\ttab-first and\ttab-inside',
  '50% off — 5 > 3 & 2 < 4',
  'Ωμέγα, Привет, مرحبا, שלום',
] as const;

export function words(r: Rand, min: number, max: number): string {
  const n = r.int(min, max);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(r.pick(WORDS));
  return out.join(' ');
}

/** A short text, sometimes one of the tricky strings, sometimes several lines. */
export function sentence(r: Rand): string {
  if (r.chance(0.25)) return r.pick(TRICKY);
  const first = words(r, 3, 12);
  const capitalized = first.charAt(0).toUpperCase() + first.slice(1) + '.';
  return r.chance(0.2) ? `${capitalized}\n\n${words(r, 2, 8)}.` : capitalized;
}

export function paragraphs(r: Rand, min: number, max: number): string {
  const n = r.int(min, max);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(sentence(r));
  return out.join('\n\n');
}

/** ASCII slug; never empty. */
export function slugify(text: string): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug === '' ? 'item' : slug;
}

/** Cuts to at most `max` code points (what PostgreSQL's varchar(n) counts), never inside a surrogate pair. */
export function clipCodePoints(text: string, max: number): string {
  const points = Array.from(text);
  return points.length <= max ? text : points.slice(0, max).join('');
}
