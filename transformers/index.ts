import order from './order.ts';
import post from './post.ts';
import user from './user.ts';

/** The sample app's hand-written transformers; every other model uses the schema-derived default. */
export const transformers = [user, order, post];
