/**
 * JavaScript dates stop at milliseconds; PostgreSQL timestamps keep microseconds, and real
 * applications write them (Python's isoformat, Rails' `.%6N`, Postgres exports). A date parsed
 * from text with more digits carries the extra ones here, so they reach the target instead of
 * being cut in silence. Everything that takes a Date still takes one.
 */
export class MicroDate extends Date {
  /** Microseconds past the millisecond, 0–999. */
  readonly micros: number;
  constructor(ms: number, micros: number) {
    super(ms);
    this.micros = micros;
  }
}

/** A Date for `ms` plus `micros` (0–999): a plain Date when there are none. */
export function dateWithMicros(ms: number, micros: number): Date {
  return micros === 0 ? new Date(ms) : new MicroDate(ms, micros);
}

export function microsOf(date: Date): number {
  return date instanceof MicroDate ? date.micros : 0;
}

/** ISO-8601 in UTC with every digit the date holds: `.123Z`, or `.123456Z` with microseconds. */
export function isoText(date: Date): string {
  const iso = date.toISOString();
  const micros = microsOf(date);
  return micros === 0 ? iso : `${iso.slice(0, -1)}${String(micros).padStart(3, '0')}Z`;
}

/** Microseconds since the epoch, rounded to `digits` fractional digits of a second (PostgreSQL's `timestamp(p)`). */
export function epochMicros(date: Date, digits = 6): number {
  const total = date.getTime() * 1000 + microsOf(date);
  const unit = 10 ** (6 - Math.max(0, Math.min(6, digits)));
  return Math.round(total / unit) * unit;
}

/** The fraction of a second written as digits (`123456789`) → milliseconds and microseconds, rounded at the microsecond. */
export function splitFraction(digits: string): { ms: number; micros: number } {
  const micro = Math.round(Number(`0.${digits}`) * 1_000_000);
  return { ms: Math.floor(micro / 1000), micros: micro % 1000 };
}
