import type { Rand } from '../sample/random.ts';
import { EMAIL_DOMAINS, FIRST_ASCII, FIRST_NAMES, LAST_ASCII, LAST_NAMES } from '../sample/text.ts';

export interface Person {
  firstName: string;
  lastName: string;
  /** ASCII local part, e.g. "lea.muller". */
  local: string;
}

/** A name with its ASCII e-mail form; draw it from a stream of its own so a duplicate can redraw it. */
export function personOf(r: Rand): Person {
  const first = r.int(0, FIRST_NAMES.length - 1);
  const last = r.int(0, LAST_NAMES.length - 1);
  return { firstName: FIRST_NAMES[first] as string, lastName: LAST_NAMES[last] as string, local: `${FIRST_ASCII[first]}.${LAST_ASCII[last]}` };
}

export function domainOf(r: Rand): string {
  return r.pick(EMAIL_DOMAINS);
}

/** A phone number in one of the formats people type: E.164, spaced, with an extension. */
export function phoneOf(r: Rand): string {
  const digits = String(r.int(100_000_000, 999_999_999));
  return r.weighted([
    [`+33${digits}`, 4],
    [`+49 ${digits.slice(0, 3)} ${digits.slice(3)}`, 3],
    [`(512) ${digits.slice(0, 3)}-${digits.slice(3, 7)}`, 2],
    [`+1 512 ${digits.slice(0, 3)} ${digits.slice(3, 7)} ext. ${r.int(10, 999)}`, 1],
  ] as const);
}
