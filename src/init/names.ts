/**
 * Prisma names for MongoDB names: models singular PascalCase (`audit_logs` → `AuditLog`),
 * fields kept as the source spells them where Prisma allows it (so the app's names survive),
 * made valid otherwise (the source name then kept with `@map`).
 */
const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]*$/;

/** Words Prisma's schema language or its client reserve as field or model names. */
const RESERVED = new Set(['model', 'enum', 'type', 'datasource', 'generator', 'String', 'Int', 'BigInt', 'Float', 'Decimal', 'Boolean', 'DateTime', 'Json', 'Bytes', 'Unsupported', 'PrismaClient', 'Prisma']);

export function isIdentifier(name: string): boolean {
  return IDENTIFIER.test(name) && !RESERVED.has(name);
}

export function modelName(collection: string): string {
  const words = words_(collection);
  const last = words.pop() ?? 'collection';
  return validStart([...words, singular(last)].map(capital).join(''), 'Model');
}

/** A field name for a source key: the key itself when it is a valid name, else a camelCase one. */
export function fieldName(key: string): string {
  if (isIdentifier(key)) return key;
  const [first = 'field', ...rest] = words_(key);
  return validStart(first.toLowerCase() + rest.map(capital).join(''), 'field');
}

/** `name`, or `name2`, `name3`, … when `taken`; the result is added to `taken`. */
export function unique(name: string, taken: Set<string>): string {
  let candidate = name;
  for (let n = 2; taken.has(candidate) || taken.has(candidate.toLowerCase()); n++) candidate = `${name}${n}`;
  taken.add(candidate);
  taken.add(candidate.toLowerCase());
  return candidate;
}

export function capital(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

export function lowerFirst(word: string): string {
  return word.charAt(0).toLowerCase() + word.slice(1);
}

/** English singular, the plain rules (`categories` → `category`, `addresses` → `address`, `news` stays). */
export function singular(word: string): string {
  if (/ies$/i.test(word) && word.length > 4) return `${word.slice(0, -3)}y`;
  if (/(ss|x|ch|sh|z|us)es$/i.test(word)) return word.slice(0, -2);
  if (/(ss|us|is)$/i.test(word) || UNCOUNTABLE.has(word.toLowerCase())) return word;
  if (/s$/i.test(word) && word.length > 1) return word.slice(0, -1);
  return word;
}

const UNCOUNTABLE = new Set(['news', 'series', 'species', 'data', 'media', 'metadata', 'info', 'feedback', 'equipment', 'analytics']);

export function plural(word: string): string {
  if (/[^aeiou]y$/i.test(word)) return `${word.slice(0, -1)}ies`;
  if (/(s|x|ch|sh|z)$/i.test(word)) return `${word}es`;
  return `${word}s`;
}

/** `createdById` → `createdBy`; `author_id` → `author`; `tagIds` → `tag`; undefined when the name has no id suffix. */
export function withoutIdSuffix(name: string): string | undefined {
  const m = /^(.*[a-z0-9])(_ids?|_IDs?|Ids?|IDs?)$/.exec(name);
  return m?.[1];
}

function words_(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w, i) => (i === 0 ? w : w.toLowerCase()));
}

function validStart(name: string, prefix: string): string {
  if (name === '') return prefix;
  const fixed = /^[A-Za-z]/.test(name) ? name : `${prefix}${capital(name)}`;
  return RESERVED.has(fixed) ? `${fixed}Value` : fixed;
}

/** `productIds`, `product_ids`, `productIDs`, `products` → `product`: what an array of ids names. */
export function idArrayStem(field: string): string {
  return singular(field.replace(/(?<=.)_?ids$/i, '')).toLowerCase().replace(/_/g, '');
}

/** The first of `candidates` not in `taken` (then `candidate2`, `candidate3`, … of the first). */
export function freeName(candidates: readonly string[], taken: ReadonlySet<string>): string {
  for (const c of candidates) if (!taken.has(c)) return c;
  const [first = 'field'] = candidates;
  for (let n = 2; ; n++) if (!taken.has(`${first}${n}`)) return `${first}${n}`;
}
