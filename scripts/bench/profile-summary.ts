import { readFileSync } from 'node:fs';

/** The parts of a V8 `.cpuprofile` (node --cpu-prof) this summary reads. */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber?: number }; children?: number[] }[];
  /** Node id of each sample, in time order. */
  samples: number[];
  /** Microseconds since the previous sample (the first: since startTime). */
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export const CATEGORIES = ['sqlite read', 'transform/convert', 'row check (zod)', 'COPY encode', 'pg driver', 'id/uuid', 'GC', 'bookkeeping (record-batch)', 'start-up (modules, schema WASM)', 'other'] as const;
export type Category = (typeof CATEGORIES)[number] | 'idle';

/**
 * Which stage a call frame belongs to, by its script URL (or V8's pseudo-frames). First match
 * wins. A frame that matches nothing (a Buffer or stream builtin, a native binding) is none: it
 * takes the category of its nearest caller that has one, so the time a `Buffer.from` takes inside
 * the COPY encoder counts as COPY encode.
 */
const RULES: readonly [Category, RegExp][] = [
  ['GC', /^\(garbage collector\)$/],
  ['idle', /^\(idle\)$/],
  ['other', /^\(program\)$/],
  ['transform/convert', /\/src\/sources\/sqlite\/(sqlite-convert|cast-rules)\.ts|\/src\/transform\/|\/src\/load\/prepare\.ts|\/transformers\//],
  ['sqlite read', /\/src\/sources\/|better-sqlite3|\/node_modules\/bson\//],
  ['row check (zod)', /\/src\/check\/|\/node_modules\/zod\//],
  ['COPY encode', /\/src\/target\/(copy-text|copy-writer|writer)\.ts/],
  ['pg driver', /\/node_modules\/(pg|pg-protocol|pg-copy-streams|pg-pool|pg-types|pgpass)\//],
  // Socket writes run from libuv callbacks with no caller on the stack; the only sockets here are PostgreSQL's.
  ['pg driver', /^(writeBuffer|writev|writeUtf8String|writeLatin1String)$/],
  ['id/uuid', /\/src\/ids\/|\/node_modules\/uuid\//],
  ['start-up (modules, schema WASM)', /^node:internal\/modules\/|^wasm:\/\/|\/node_modules\/(@prisma|esbuild|tsx|get-tsconfig)\//],
  ['bookkeeping (record-batch)', /\/src\/load\/record-batch\.ts|\/src\/accounting\/|\/src\/run\/(checkpoint|progress|run-state)|\/src\/target\/(state-schema|transaction)\.ts|\/src\/log\/|\/node_modules\/(winston|logform|cli-progress)\//],
];

function ownCategory(frame: { functionName: string; url: string }): Category | undefined {
  for (const [category, pattern] of RULES) if (pattern.test(frame.url) || (frame.url === '' && pattern.test(frame.functionName))) return category;
  return undefined;
}

export interface ProfileSummary {
  /** Sampled time in ms, idle excluded. */
  busyMs: number;
  idleMs: number;
  byCategory: { category: Category; ms: number; share: number }[];
  /** The functions with the most self time, `name (file:line)`. */
  topFunctions: { name: string; category: Category; ms: number; share: number }[];
  /** With worker threads: each thread's busy and idle time, the main thread first. */
  threads?: { busyMs: number; idleMs: number }[];
}

/** The threads of one process (main first) as one summary: times added up by stage and function. */
export function summariseThreads(profiles: readonly CpuProfile[], top = 12): ProfileSummary {
  const each = profiles.map((p) => summariseProfile(p, Number.MAX_SAFE_INTEGER));
  const busyMs = each.reduce((a, t) => a + t.busyMs, 0);
  const share = (ms: number) => (busyMs > 0 ? ms / busyMs : 0);
  const functions = new Map<string, { category: Category; ms: number }>();
  for (const t of each) {
    for (const f of t.topFunctions) {
      const had = functions.get(f.name) ?? { category: f.category, ms: 0 };
      had.ms += f.ms;
      functions.set(f.name, had);
    }
  }
  return {
    busyMs,
    idleMs: each.reduce((a, t) => a + t.idleMs, 0),
    byCategory: CATEGORIES.map((c) => {
      const ms = each.reduce((a, t) => a + (t.byCategory.find((x) => x.category === c)?.ms ?? 0), 0);
      return { category: c, ms, share: share(ms) };
    }),
    topFunctions: [...functions]
      .sort((a, b) => b[1].ms - a[1].ms)
      .slice(0, top)
      .map(([name, f]) => ({ name, category: f.category, ms: f.ms, share: share(f.ms) })),
    threads: each.map((t) => ({ busyMs: t.busyMs, idleMs: t.idleMs })),
  };
}

/**
 * Self time per category: each sample's time (the gap to the next sample, as DevTools counts it)
 * goes to the node it landed on, and from there to that node's category.
 */
export function summariseProfile(profile: CpuProfile, top = 12): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const category = new Map<number, Category>();
  const categoryOf = (id: number): Category => {
    const known = category.get(id);
    if (known) return known;
    const node = byId.get(id);
    const own = node ? ownCategory(node.callFrame) : undefined;
    const up = parent.get(id);
    const found = own ?? (up === undefined ? 'other' : categoryOf(up));
    category.set(id, found);
    return found;
  };
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i + 1] ?? 0;
    selfUs.set(id, (selfUs.get(id) ?? 0) + Math.max(0, us));
  });
  const totals = new Map<Category, number>();
  const functions = new Map<string, { category: Category; us: number }>();
  for (const [id, us] of selfUs) {
    const c = categoryOf(id);
    totals.set(c, (totals.get(c) ?? 0) + us);
    const frame = byId.get(id)?.callFrame;
    if (!frame || c === 'idle') continue;
    const file = frame.url.replace(/^file:\/\//, '').replace(/^.*\/(src|node_modules|scripts|transformers)\//, '$1/');
    const name = `${frame.functionName || '(anonymous)'}${file ? ` (${file}:${(frame.lineNumber ?? 0) + 1})` : ''}`;
    const f = functions.get(name) ?? { category: c, us: 0 };
    f.us += us;
    functions.set(name, f);
  }
  const idleUs = totals.get('idle') ?? 0;
  const busyUs = [...totals].filter(([c]) => c !== 'idle').reduce((a, [, us]) => a + us, 0);
  const share = (us: number) => (busyUs > 0 ? us / busyUs : 0);
  return {
    busyMs: busyUs / 1000,
    idleMs: idleUs / 1000,
    byCategory: CATEGORIES.map((c) => ({ category: c, ms: (totals.get(c) ?? 0) / 1000, share: share(totals.get(c) ?? 0) })),
    topFunctions: [...functions]
      .sort((a, b) => b[1].us - a[1].us)
      .slice(0, top)
      .map(([name, f]) => ({ name, category: f.category, ms: f.us / 1000, share: share(f.us) })),
  };
}

export function readProfile(file: string): CpuProfile {
  return JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
}

/** The summary as Markdown: the category table, then the top functions. */
export function formatProfile(s: ProfileSummary): string {
  const ms = (n: number) => Math.round(n).toLocaleString('en-US');
  const pct = (n: number) => `${(100 * n).toFixed(1)} %`;
  return [
    s.threads && s.threads.length > 1
      ? `busy ${ms(s.busyMs)} ms sampled on ${s.threads.length} threads, added up (${s.threads.map((t, i) => `${i === 0 ? 'main' : `worker ${i}`} ${ms(t.busyMs)} busy, ${ms(t.idleMs)} idle`).join('; ')}; idle is waiting for PostgreSQL, I/O or the other threads, not counted below)`
      : `busy ${ms(s.busyMs)} ms sampled on the main thread (idle ${ms(s.idleMs)} ms: waiting for PostgreSQL or I/O, not counted below)`,
    '',
    '| stage | self time | share |',
    '|---|---:|---:|',
    ...s.byCategory.map((c) => `| ${c.category} | ${ms(c.ms)} ms | ${pct(c.share)} |`),
    '',
    '| function (self time) | stage | self time | share |',
    '|---|---|---:|---:|',
    ...s.topFunctions.map((f) => `| ${f.name.replace(/\|/g, '\\|')} | ${f.category} | ${ms(f.ms)} ms | ${pct(f.share)} |`),
  ].join('\n');
}
