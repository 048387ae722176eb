import { expect, test } from '@jest/globals';
import type { TypedContext } from '../../transformers/define.ts';

// Compile-time checks: `npm test` runs tsc over this file first. If the context stops checking
// model and field names, the @ts-expect-error lines become unused and tsc fails.
function typedCalls(ctx: TypedContext<'Post'>): unknown[] {
  return [
    ctx.convert('Post', 'views', 1),
    ctx.convert('Address', 'city', 'Lyon'),
    ctx.ref('User', 'x', 'authorId'),
    // @ts-expect-error a misspelled field does not compile
    ctx.convert('Post', 'viewz', 1),
    // @ts-expect-error a field of another model does not compile
    ctx.convert('Post', 'city', 1),
    // @ts-expect-error an unknown model does not compile
    ctx.convert('Nope', 'views', 1),
    // @ts-expect-error an unknown model does not compile in ref either
    ctx.ref('Usr', 'x', 'authorId'),
  ];
}

test('the typed transformer context checks model and field names at compile time', () => {
  expect(typeof typedCalls).toBe('function');
});
