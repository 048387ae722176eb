import { openDumpSampler } from './src/init/dump-sampler.ts';
import { profileDocuments } from './src/init/field-profile.ts';
import { gatherFacts } from './src/init/field-facts.ts';
import { inferSchema } from './src/init/infer-schema.ts';
import { printSchema } from './src/init/print-schema.ts';
const s = openDumpSampler(process.argv[2] ?? 'sample/mongodump');
const cols = [];
for (const c of await s.collections()) { const x = await s.sample(c, { kind: 'count', count: 1000 }); const p = await profileDocuments(x.docs); cols.push({ collection: c, total: x.total, sampled: x.docs.length, how: x.how, fields: p.fields, facts: gatherFacts(x.docs), indexes: await s.indexes(c) }); }
const inf = await inferSchema(cols, (c, ids) => s.idsFound(c, ids), { enums: process.argv[3] === 'enums' });
console.log(printSchema(inf.schema));
console.log(inf.todos.join('\n'));
