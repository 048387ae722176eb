import type { DraftEnum } from './draft-schema.ts';
import type { PathFacts } from './field-facts.ts';
import { capital, fieldName, unique } from './names.ts';

/** At most this many values, each seen at least twice, in at least this many strings: a closed set, likely. */
const MAX_VALUES = 12;
const MIN_STRINGS = 20;
/** Codes (`PAID`, `closed_won`, `order.create`), not words of free text (`Büro`, `実家`). */
const CODE = /^[A-Za-z][A-Za-z0-9_.\- ]{0,39}$/;

/**
 * An enum for a string field whose sampled values form a small closed set (with `--enums`
 * only: a status seen with 4 values in 1,000 documents may still have a fifth in production;
 * the run refuses a value an enum does not have, and names it). Values that are not valid
 * Prisma names get one, with the stored text kept as `@map`.
 */
export function proposeEnum(model: string, field: string, facts: PathFacts | undefined, existing: readonly DraftEnum[]): DraftEnum | undefined {
  if (!facts || facts.manyStrings || facts.objectIds.size > 0) return undefined;
  const values = [...facts.strings.entries()];
  const total = values.reduce((n, [, c]) => n + c, 0);
  if (values.length === 0 || values.length > MAX_VALUES || total < MIN_STRINGS || values.some(([v, c]) => c < 2 || !CODE.test(v))) return undefined;
  const taken = new Set<string>();
  const names = new Set(existing.map((e) => e.name));
  return {
    name: unique(`${model}${capital(field)}`, names),
    doc: [`${values.length} values seen in ${total} sampled strings (--enums): a value not listed here is refused by the run.`],
    values: values
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([v]) => {
        const name = unique(/^[A-Za-z][A-Za-z0-9_]*$/.test(v) ? v : fieldName(v), taken);
        return name === v ? { name } : { name, map: v };
      }),
  };
}
