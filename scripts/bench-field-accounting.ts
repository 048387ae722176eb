/**
 * What field accounting costs in the transform step: every model of a mongodump prepared with and
 * without the counter (no database: the preparer only). Usage: npx tsx scripts/bench-field-accounting.ts <dump>
 */
import { buildRowCheck } from '../src/check/row-check.ts';
import { configSchema } from '../src/config/config-schema.ts';
import { createIdMapper } from '../src/ids/id-mapper.ts';
import { createPreparer } from '../src/load/prepare.ts';
import { createLogger } from '../src/log/logger.ts';
import { openSession } from '../src/run/session.ts';
import type { SourceDoc } from '../src/transform/types.ts';

const dump = process.argv[2] ?? 'sample/mongodump';
const config = configSchema.parse({ source: { kind: 'mongodump', path: dump } });
const session = await openSession(config, createLogger({ quiet: true }));
const ids = createIdMapper(config.ids.strategy, config.ids.namespace);
const checks = new Map([...session.graph.models.values()].map((m) => [m.name, buildRowCheck(m)]));
for (const plan of session.plan.phases.flat()) {
  const docs: SourceDoc[] = [];
  for await (const batch of session.source.read(plan.collection, { batchSize: 1000 })) docs.push(...batch.docs);
  const time = (withCounter: boolean) => {
    const counter = withCounter ? session.fieldCounter(plan) : undefined;
    const preparer = createPreparer(session.graph, plan, ids, checks, session.fieldsFor(plan), counter);
    const started = performance.now();
    for (let i = 0; i < docs.length; i++) {
      preparer.prepare(docs[i] as SourceDoc);
      if (i % 1000 === 999) counter?.take();
    }
    return performance.now() - started;
  };
  // Alternating, best of 5 each, so a busy machine hurts both sides alike.
  const without: number[] = [], withIt: number[] = [];
  for (let r = 0; r < 5; r++) {
    without.push(time(false));
    withIt.push(time(true));
  }
  const a = Math.min(...without), b = Math.min(...withIt);
  console.log(`${plan.model.padEnd(10)} ${plan.custom ? 'hand-written' : 'default     '} ${String(docs.length).padStart(7)} docs  ${a.toFixed(1).padStart(8)} ms  ${b.toFixed(1).padStart(8)} ms with accounting  ${(((b - a) / a) * 100).toFixed(1).padStart(6)} %`);
}
await session.source.close();
