// The CRM's collections and how many ids each one spans at a scale. A collection may
// hold fewer documents than ids: companies and contacts have hard-deleted ones (see deleted.ts).

/** In an order where every referenced collection comes first, so a live insert never refers ahead. */
export const CRM_COLLECTIONS = [
  'users',
  'dealStages',
  'tags',
  'companies',
  'contacts',
  'documents',
  'deals',
  'invoices',
  'payments',
  'notes',
  'tasks',
  'activities',
] as const;

export type CrmCollection = (typeof CRM_COLLECTIONS)[number];

export function isCrmCollection(name: string): name is CrmCollection {
  return (CRM_COLLECTIONS as readonly string[]).includes(name);
}

/** Ids per collection (deleted ones included); the ObjectId counter is the index. */
export type CrmCounts = Readonly<Record<CrmCollection, number>>;

const MAX_PER_COLLECTION = 0xffffff;

function scaled(base: number, scale: number, minimum: number): number {
  return Math.max(minimum, Math.round(base * scale));
}

export function crmCountsFor(scale: number): CrmCounts {
  if (!Number.isFinite(scale) || scale <= 0) throw new Error(`scale must be a positive number, got ${scale}`);
  const counts: Record<CrmCollection, number> = {
    // A sales team and its labels grow far slower than its book of business.
    users: scaled(40, Math.sqrt(scale), 12),
    // A pipeline is configuration: the same seven stages at every scale.
    dealStages: 7,
    tags: scaled(30, Math.sqrt(scale), 8),
    companies: scaled(300, scale, 60),
    contacts: scaled(900, scale, 180),
    documents: scaled(250, scale, 20),
    deals: scaled(500, scale, 40),
    invoices: scaled(350, scale, 30),
    payments: scaled(280, scale, 20),
    notes: scaled(700, scale, 30),
    tasks: scaled(600, scale, 30),
    activities: scaled(1500, scale, 30),
  };
  for (const [name, n] of Object.entries(counts)) {
    if (n > MAX_PER_COLLECTION) throw new Error(`scale ${scale} gives ${n} ${name}, more than the 3-byte ObjectId counter holds`);
  }
  return counts;
}
