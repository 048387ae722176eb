import { InvalidArgumentError } from 'commander';

/** `--scale`: any positive number (fractions make a smaller sample). */
export function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
}

/** `--seed`: the PRNG takes a 32-bit unsigned integer. */
export function seedValue(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n >= 2 ** 32) throw new InvalidArgumentError('expected an integer in [0, 2^32)');
  return n;
}
