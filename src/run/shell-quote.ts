/**
 * One word for a POSIX shell: left alone when it holds only characters no shell treats
 * specially, else single-quoted (a `'` inside becomes `'\''`).
 *
 * @example shellQuote('my file.json') // "'my file.json'"
 */
export function shellQuote(word: string): string {
  if (/^[\w@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
