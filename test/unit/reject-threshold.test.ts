import { describe, expect, test } from '@jest/globals';
import { checkRejectedLimit } from '../../src/run/reject-threshold.ts';

describe('--max-rejected', () => {
  test.each([
    ['1%', 5_171, 5_422, true, 'rejected 5,171 of 5,422 (95%) > --max-rejected 1%'],
    ['1%', 7, 3_400, false, 'rejected 7 of 3,400 (0.21%) ≤ --max-rejected 1%'],
    ['1%', 34, 3_400, false, 'rejected 34 of 3,400 (1%) ≤ --max-rejected 1%'],
    ['1%', 35, 3_400, true, 'rejected 35 of 3,400 (1.03%) > --max-rejected 1%'],
    ['0.5%', 3, 1_000, false, 'rejected 3 of 1,000 (0.3%) ≤ --max-rejected 0.5%'],
    [50, 50, 100, false, 'rejected 50 of 100 (50%) ≤ --max-rejected 50'],
    ['50', 51, 100, true, 'rejected 51 of 100 (51%) > --max-rejected 50'],
    ['0', 0, 0, false, 'rejected 0 of 0 (0%) ≤ --max-rejected 0'],
    ['1%', 0, 0, false, 'rejected 0 of 0 (0%) ≤ --max-rejected 1%'],
  ] as const)('%s with %d of %d rejected', (limit, rejected, source, exceeded, message) => {
    expect(checkRejectedLimit(limit, rejected, source)).toEqual({ limit: String(limit), rejected, source, exceeded, message });
  });
});
