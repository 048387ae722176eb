import { readFileSync } from 'node:fs';
import type { MigrationConfig } from '../config/config-schema.ts';
import type { Logger } from '../log/logger.ts';
import { planMigration, type Plan } from '../plan/plan.ts';
import { renderDdl, type SchemaDdl } from '../schema/ddl.ts';
import { readDmmf } from '../schema/dmmf.ts';
import { buildModelGraph, type ModelGraph } from '../schema/model-graph.ts';
import { openSource } from '../sources/open-source.ts';
import type { Source } from '../sources/source.ts';
import { loadTransformers } from '../transform/load-transformers.ts';

/** What every command starts from: the schema read, the source open, the plan made. */
export interface Session {
  schemaText: string;
  graph: ModelGraph;
  ddl: SchemaDdl;
  source: Source;
  plan: Plan;
}

export async function openSession(config: MigrationConfig, logger: Logger): Promise<Session> {
  const schemaText = readFileSync(config.schema, 'utf8');
  const graph = buildModelGraph(readDmmf(schemaText));
  const ddl = await renderDdl(schemaText);
  const source = await openSource(config.source);
  try {
    const plan = planMigration({
      graph,
      collections: await source.collections(),
      transformers: await loadTransformers(config.transformers),
      collectionOf: Object.fromEntries(Object.entries(config.models).flatMap(([m, s]) => (s.collection ? [[m, s.collection]] : []))),
      phases: config.phases,
      only: config.only,
    });
    for (const m of plan.unsourced) logger.warn(`        ${m}: no source collection and no transformer derives it; it will stay empty`);
    for (const c of plan.unmapped) logger.warn(`        collection ${c}: no model reads it`);
    return { schemaText, graph, ddl, source, plan };
  } catch (error) {
    await source.close();
    throw error;
  }
}
