import { createHash } from 'node:crypto';
import type { MigrationConfig } from '../config/config-schema.ts';
import { maskUrl } from '../log/mask.ts';
import type { Source } from '../sources/source.ts';

/** A run is named after its source and target, so running the same command again finds it. */
export function defaultRunId(config: MigrationConfig, source: Pick<Source, 'identity'>, targetUrl: string): string {
  const digest = createHash('sha256').update(`${source.identity}\n${maskUrl(targetUrl)}`).digest('hex').slice(0, 8);
  return `${config.source.kind}-${digest}`;
}

/** What must not change under a resumed run: schema, mapping rules, ids, source and target. */
export function hashConfig(config: MigrationConfig, schemaText: string, source: string, target: string): string {
  const relevant = { schemaText, ids: config.ids, models: config.models, phases: config.phases, only: config.only, transformers: config.transformers, source, target };
  return createHash('sha256').update(JSON.stringify(relevant)).digest('hex').slice(0, 16);
}
