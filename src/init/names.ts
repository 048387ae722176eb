/** Name helpers for what the conversion adds (child models, owner fields, back-relations). */

export function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

export function upperFirst(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** `addresses` → `address`, `categories` → `category`; English enough for field names. */
export function singular(word: string): string {
  if (/ies$/i.test(word)) return `${word.slice(0, -3)}y`;
  if (/(ss|x|ch|sh)es$/i.test(word)) return word.slice(0, -2);
  if (/ss$/i.test(word)) return word;
  return word.replace(/s$/i, '');
}

/** `wishlist` → `wishlists`, `category` → `categories`. */
export function plural(word: string): string {
  if (/[^aeiou]y$/i.test(word)) return `${word.slice(0, -1)}ies`;
  if (/(s|x|ch|sh)$/i.test(word)) return `${word}es`;
  return `${word}s`;
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
