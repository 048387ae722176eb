/**
 * Just enough of SQLite's lexical rules to take a CREATE statement apart without a parser:
 * quoted names and strings ('…', "…", `…`, […]) are skipped whole, parentheses are balanced.
 */

/** The index just past the `)` that closes the `(` at `open`, or the text's length. */
export function closingParen(sql: string, open: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = open; i < sql.length; i++) {
    const ch = sql[i];
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"' || ch === '`' || ch === '[') quote = ch === '[' ? ']' : ch;
    else if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) return i + 1;
  }
  return sql.length;
}

/** The first `(` outside quotes at or after `from`, or -1. */
export function firstParen(sql: string, from = 0): number {
  let quote: string | undefined;
  for (let i = from; i < sql.length; i++) {
    const ch = sql[i];
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"' || ch === '`' || ch === '[') quote = ch === '[' ? ']' : ch;
    else if (ch === '(') return i;
  }
  return -1;
}

/** `a, f(b, c), 'x,y'` → [`a`, `f(b, c)`, `'x,y'`]: commas inside parentheses or quotes do not split. */
export function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"' || ch === '`' || ch === '[') quote = ch === '[' ? ']' : ch;
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts.filter((p) => p !== '');
}

/** The identifier at the start of `text` (quoted any of SQLite's ways, or bare) and what follows it. */
export function leadingIdentifier(text: string): { name: string; rest: string } | undefined {
  const t = text.trimStart();
  const close: Record<string, string> = { '"': '"', '`': '`', '[': ']' };
  const open = t[0] ?? '';
  const end = close[open];
  if (end) {
    let i = 1;
    let name = '';
    for (; i < t.length; i++) {
      if (t[i] === end) {
        if (end !== ']' && t[i + 1] === end) {
          name += end;
          i++;
          continue;
        }
        break;
      }
      name += t[i];
    }
    return { name, rest: t.slice(i + 1) };
  }
  const bare = /^[A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*/.exec(t);
  return bare ? { name: bare[0], rest: t.slice(bare[0].length) } : undefined;
}
