import type { IndexSpec } from './document-sampler.ts';
import type { PathFacts } from './field-facts.ts';
import type { FieldProfile } from './field-profile.ts';

/** One collection as init saw it: the sample's statistics, the facts for decisions, its indexes. */
export interface SampledCollection {
  collection: string;
  total: number;
  sampled: number;
  how: string;
  fields: FieldProfile[];
  facts: Map<string, PathFacts>;
  indexes: IndexSpec[];
}

/** One line of the field report: a path, what was seen, what it became. */
export interface FieldDecision {
  path: string;
  types: { name: string; count: number }[];
  of: number;
  missing: number;
  nulls: number;
  examples: string[];
  decision: string;
}
