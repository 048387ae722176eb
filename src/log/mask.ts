/**
 * The one place that knows what a credential looks like. Every output of the tool (console,
 * log file, checkpoint, reports, state tables, error messages) goes through these helpers, so
 * no password given in any of the forms people use reaches a screen or a disk:
 *  - URL userinfo of any scheme: `postgres://user:secret@host/db`, `mongodb+srv://u:secret@…`
 *  - a password in a query string: `?password=secret`, `&sslpassword=secret`
 *  - libpq keyword/value strings: `host=db password=secret` or `password='se cret'`
 *  - `PGPASSWORD=secret`-style assignments and `"password": "secret"` in JSON-ish text
 */
export const MASK = '****';

/** `scheme://authority`: the authority ends at whitespace or the start of path, query or fragment. */
const URL_AUTHORITY = /([a-z][a-z0-9+.-]*:\/\/)([^\s/?#]*)/gi;
/** `…password=value` (also sslpassword, PGPASSWORD); a value is quoted (libpq) or runs to a separator. */
const KEY_VALUE = /\b([\w.-]*password\s*=\s*)('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[^\s&#'"]+)/gi;
/** `"password": "value"` as a driver or a config dump might print it. */
const JSON_PAIR = /("[\w.-]*password"\s*:\s*)"(?:[^"\\]|\\.)*"/gi;

/**
 * Hides every password in free text: log lines, error messages from the drivers, commands.
 * Idempotent, and it only ever replaces text with `****`: when in doubt it masks.
 *
 * @example maskSecrets('connect postgres://app:s3cret@db/shop failed') // 'connect postgres://app:****@db/shop failed'
 */
export function maskSecrets(text: string): string {
  return text
    .replace(URL_AUTHORITY, (whole, scheme: string, authority: string) => {
      // The last `@` ends the userinfo (as WHATWG URL parses it): an unencoded `@` in a password stays hidden.
      const at = authority.lastIndexOf('@');
      const colon = authority.indexOf(':');
      if (at < 0 || colon < 0 || colon > at) return whole;
      return `${scheme}${authority.slice(0, colon + 1)}${MASK}${authority.slice(at)}`;
    })
    .replace(KEY_VALUE, (_whole, key: string) => `${key}${MASK}`)
    .replace(JSON_PAIR, (_whole, key: string) => `${key}"${MASK}"`);
}

/**
 * A connection string with its password hidden, as it is stored and compared: the run id and
 * the config hash are made from this form, so giving the password by flag, by environment
 * variable or by config file names the same run, and the password itself is never hashed.
 *
 * @example maskUrl('postgres://app:s3cret@db:5432/shop?sslpassword=k') // 'postgres://app:****@db:5432/shop?sslpassword=****'
 */
export function maskUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // A libpq keyword/value string (`host=… password=…`) or something no parser takes.
    return maskSecrets(url);
  }
  if (parsed.password) parsed.password = MASK;
  for (const key of [...parsed.searchParams.keys()]) if (/password$/i.test(key)) parsed.searchParams.set(key, MASK);
  return maskSecrets(parsed.toString());
}

/** True when the connection string carries a password that masking hides. */
export function hasPassword(url: string): boolean {
  return maskUrl(url).includes(MASK);
}

/**
 * The connection string without any password, for a command a person runs: `psql` then asks
 * for the password or reads PGPASSWORD / ~/.pgpass, where `****` would just fail to log in.
 * Takes a masked or an unmasked string.
 */
export function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    for (const key of [...parsed.searchParams.keys()]) if (/password$/i.test(key)) parsed.searchParams.delete(key);
    return parsed.toString();
  } catch {
    return url.replace(new RegExp(`\\s*${KEY_VALUE.source}`, 'gi'), '').trim();
  }
}

/** Masks every string inside a JSON-able value (reports, summaries) before it is serialized. */
export function maskDeep(value: unknown): unknown {
  if (typeof value === 'string') return maskSecrets(value);
  if (Array.isArray(value)) return value.map(maskDeep);
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskDeep(v)]));
  }
  return value;
}
