/**
 * `Date.UTC`, except that years 0–99 are those years: `Date.UTC` reads them as 1900–1999, so
 * .NET's `DateTime.MinValue` and Go's zero time (`0001-01-01 00:00:00`), which real
 * applications store as "no date", arrived as 1901-01-01. Out-of-range parts roll over as
 * `Date.UTC` rolls them.
 */
export function utcTime(year: number, monthIndex: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): number {
  if (year < 0 || year > 99) return Date.UTC(year, monthIndex, day, hour, minute, second, ms);
  const date = new Date(0);
  date.setUTCFullYear(year, monthIndex, day);
  date.setUTCHours(hour, minute, second, ms);
  return date.getTime();
}
