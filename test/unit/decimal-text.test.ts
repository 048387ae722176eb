import { describe, expect, test } from '@jest/globals';
import { decimalShape, plainDecimal } from '../../src/transform/decimal-text.ts';

describe('plainDecimal', () => {
  test.each([
    ['123', '123'],
    ['-12.50', '-12.50'],
    ['+7', '7'],
    [' 3.14 ', '3.14'],
    ['.5', '0.5'],
    ['-.5', '-0.5'],
    ['5.', '5'],
  ])('plain text %j → %j', (input, expected) => {
    expect(plainDecimal(input)).toBe(expected);
  });

  test.each([
    ['1.2E+3', '1200'],
    ['1.25e1', '12.5'],
    ['1E+0', '1'],
    ['7e2', '700'],
    ['0.0001E4', '1'],
    ['-1.5E+10', '-15000000000'],
  ])('positive exponent %j → %j', (input, expected) => {
    expect(plainDecimal(input)).toBe(expected);
  });

  test.each([
    ['-5E-3', '-0.005'],
    ['5e-1', '0.5'],
    ['123E-5', '0.00123'],
    ['12.5e-1', '1.25'],
    ['1.50E-2', '0.0150'],
  ])('negative exponent %j → %j', (input, expected) => {
    expect(plainDecimal(input)).toBe(expected);
  });

  test.each([
    ['0012.5', '12.5'],
    ['000', '0'],
    ['-007', '-7'],
    ['0.000', '0.000'],
  ])('leading zeros %j → %j', (input, expected) => {
    expect(plainDecimal(input)).toBe(expected);
  });

  test.each([
    ['-0', '0'],
    ['-0.00', '0.00'],
    ['-0E+3', '0'],
  ])('negative zero loses its sign: %j → %j', (input, expected) => {
    expect(plainDecimal(input)).toBe(expected);
  });

  test.each(['', '.', '-', 'e5', '1e', '1.2.3', 'abc', 'NaN', 'Infinity', '1,5', '--1', '0x10', '1 000'])('%j is not a decimal', (input) => {
    expect(plainDecimal(input)).toBeUndefined();
  });
});

describe('decimalShape', () => {
  test.each([
    ['123.4500', 3, 2],
    ['-12', 2, 0],
    ['10.0', 2, 0],
    ['-0.05', 0, 2],
    ['007.1', 1, 1],
    ['0', 0, 0],
    ['1200', 4, 0],
  ])('%j has %i integer digits and scale %i', (text, integerDigits, scale) => {
    expect(decimalShape(text)).toEqual({ integerDigits, scale });
  });
});
