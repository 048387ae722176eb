import type { PathFacts } from './field-facts.ts';
import type { FieldProfile, Observed } from './field-profile.ts';

/** What one source field becomes, before references are resolved (infer-schema.ts). */
export type FieldChoice =
  | { kind: 'scalar'; type: string; native?: string; list: boolean; why: string; todo?: string }
  | { kind: 'ref'; why: string; todo?: string }
  | { kind: 'refList'; why: string }
  | { kind: 'children'; why: string; todo?: string }
  | { kind: 'json'; why: string; todo?: string };

/** Share of a field's values that one type must hold to be its type; the rest is dirt to review. */
export const DOMINANT = 0.9;

const NUMERIC = new Set(['Int32', 'Long', 'Double', 'Decimal128']);

/**
 * The documented rule (MIGRATION_README "Starting from a MongoDB database") from BSON types to a
 * column: one type, or numbers that widen to one (Int32 ⊂ Long → BigInt; with a Double → Float;
 * with a Decimal128 → Decimal), or one type holding at least 90% of the values (the rest named in
 * a TODO: they will be rejected); anything more mixed is Json, which takes every value as it is.
 * `nested` is true inside an array element: arrays of ids or sub-documents there stay Json.
 */
export function chooseColumn(profile: FieldProfile, facts: PathFacts | undefined, nested: boolean): FieldChoice {
  const types = profile.types;
  const total = sum(types);
  if (total === 0) return { kind: 'json', why: 'always null or missing in the sample', todo: `${profile.display}: always null or missing in the sample; Json takes whatever it holds later` };
  const only = types.length === 1 ? types[0]?.name : undefined;
  if (only === 'Array' || (types[0]?.name === 'Array' && (types[0]?.count ?? 0) / total >= DOMINANT)) return arrayChoice(profile, facts, nested);
  if (only === 'Document') return { kind: 'json', why: `a sub-document in ${pct(types[0]?.count ?? 0, profile.of)} (sub-documents stay Json; arrays of them become child models)` };
  const widened = widen(types);
  if (widened) return scalarChoice(widened.name, facts, `${describe(types)}`, undefined, profile);
  // Numbers of several kinds count as one type (widened) against the dirt beside them.
  const numbers = types.filter((t) => NUMERIC.has(t.name));
  const numeric = numbers.length > 1 ? { name: widen(numbers)?.name ?? 'Double', count: sum(numbers), examples: numbers.flatMap((t) => t.examples) } : undefined;
  const [top] = numeric && numeric.count > (types[0]?.count ?? 0) ? [numeric] : types;
  if (top && top.count / total >= DOMINANT && top.name !== 'Document' && top.name !== 'Array') {
    const rest = types.filter((t) => (top === numeric ? !NUMERIC.has(t.name) : t !== top));
    // An empty string where a number, date or boolean is expected loads as NULL (source.emptyStrings).
    const onlyEmpty = rest.every((t) => t.name === 'String') && (facts?.emptyStrings ?? 0) >= sum(rest) && top.name !== 'String';
    const todo = onlyEmpty ? undefined : `${profile.display}: ${describe(rest)} of ${total} sampled values are not ${top === numeric ? 'numbers' : top.name} (e.g. ${rest.flatMap((t) => t.examples).slice(0, 2).join(', ') || '?'}): their documents will be rejected; make it Json to keep them as they are`;
    return scalarChoice(top.name, facts, `${describe(types)}${onlyEmpty ? ' ("" loads as NULL)' : ''}`, todo, profile);
  }
  return { kind: 'json', why: `mixed types: ${describe(types)}` };
}

function arrayChoice(profile: FieldProfile, facts: PathFacts | undefined, nested: boolean): FieldChoice {
  const elements = profile.elements;
  const types = elements?.types ?? [];
  const total = sum(types);
  if (total === 0) return { kind: 'scalar', type: 'String', list: true, why: 'arrays always empty in the sample', todo: `${profile.display}: every sampled array is empty; String[] is a guess` };
  if (nested && types.some((t) => t.name === 'Document' || t.name === 'ObjectId' || t.name === 'Array')) return { kind: 'json', why: `an array of ${describe(types)} inside an embedded document (one level of child models; deeper stays Json)` };
  const [top] = types;
  if (types.length === 1 && top?.name === 'ObjectId') return { kind: 'refList', why: `arrays of ObjectIds (${total} ids)` };
  if (top?.name === 'Document' && top.count / total >= DOMINANT) {
    const keys = elements?.fields ?? [];
    if (keys.length > 40 || dynamicKeys(keys.map((k) => k.name))) return { kind: 'json', why: `arrays of sub-documents with ${keys.length} distinct keys (dynamic keys: Json)` };
    const todo = types.length > 1 ? `${profile.display}: ${describe(types.slice(1))} of ${total} elements are not sub-documents: their documents will be rejected` : undefined;
    return { kind: 'children', why: `arrays of sub-documents (${total} elements)`, ...(todo ? { todo } : {}) };
  }
  const widened = widen(types);
  if (widened && widened.name !== 'Document' && widened.name !== 'Array') {
    const scalar = scalarChoice(widened.name, facts, `arrays of ${describe(types)}`, undefined, profile);
    return scalar.kind === 'scalar' ? { ...scalar, list: true } : { kind: 'json', why: `arrays of ${describe(types)}` };
  }
  return { kind: 'json', why: `arrays of mixed values: ${describe(types)}` };
}

function scalarChoice(name: string, facts: PathFacts | undefined, seen: string, todo: string | undefined, profile: FieldProfile): FieldChoice {
  const extra = todo ? { todo } : {};
  const scalar = (type: string, why: string, native?: string): FieldChoice => ({ kind: 'scalar', type, list: false, why, ...(native ? { native } : {}), ...extra });
  switch (name) {
    case 'String':
      return scalar('String', seen);
    case 'Boolean':
      return scalar('Boolean', seen);
    case 'Int32':
      return scalar('Int', seen);
    case 'Long':
      return scalar('BigInt', `${seen}${facts?.beyondInt32 ? `, ${facts.beyondInt32} beyond 2^31` : ''}`);
    case 'Double':
      return scalar('Float', `${seen}${facts && facts.fractionalDoubles === 0 ? ' (no fractions seen)' : ''}`);
    case 'Decimal128':
      // numeric(65,30), Prisma's default: exact for every Decimal128 seen; a tighter @db.Decimal is the team's call.
      return scalar('Decimal', `${seen}, up to ${facts?.maxDecimalDigits ?? '?'} digits, scale ≤ ${facts?.maxDecimalScale ?? '?'} (Decimal(p, s) would be tighter)`);
    case 'Date':
      return scalar('DateTime', `${seen}${facts && facts.datesWithTime === 0 ? ' (all at midnight UTC: @db.Date would fit)' : ''}`, 'Timestamptz(3)');
    case 'Binary':
      return scalar('Bytes', seen);
    case 'ObjectId':
      return { kind: 'ref', why: seen, ...extra };
    default:
      return { kind: 'json', why: `${seen} (a ${name} has no column type of its own)`, todo: `${profile.display}: holds ${name} values, kept as Json` };
  }
}

/** One type for a mix of numbers (or a single type), or undefined. */
function widen(types: readonly Observed[]): { name: string } | undefined {
  const names = new Set(types.map((t) => t.name));
  if (names.size === 1) return { name: types[0]?.name ?? '' };
  if (![...names].every((n) => NUMERIC.has(n))) return undefined;
  if (names.has('Decimal128')) return { name: 'Decimal128' };
  if (names.has('Double')) return { name: 'Double' };
  return { name: 'Long' };
}

/** Keys that are data, not names: ids, dates, numbers (`{ "2024-01-03": 4 }`). */
function dynamicKeys(keys: readonly string[]): boolean {
  if (keys.length < 8) return false;
  const dataLike = keys.filter((k) => /^\d|^[0-9a-f]{24}$|^\d{4}-\d{2}/i.test(k)).length;
  return dataLike / keys.length > 0.5;
}

export function sum(types: readonly Observed[]): number {
  return types.reduce((n, t) => n + t.count, 0);
}

export function describe(types: readonly Observed[]): string {
  return types.map((t) => `${t.name} ${t.count}`).join(', ');
}

export function pct(n: number, of: number): string {
  return of === 0 ? '0' : `${n} of ${of}`;
}
