/**
 * What each MongoDB native type (`@db.*`) of a scalar becomes on PostgreSQL, as an ordered
 * table: the first rule whose Prisma type and native type match wins, the catch-all last
 * (pgloader's casting rules). `@db.ObjectId` is not here: whether it is an id, a foreign key,
 * an id column or an array of ids is decided from the relations (mongo-fields.ts).
 */
export interface TypeRule {
  type: string;
  /** The MongoDB native type without `@db.`; `undefined` matches a field without one; `*` any. */
  native: string | undefined;
  /** The PostgreSQL native type without `@db.`, if any. */
  to?: string;
  /** Why, for conversion.md; left out when nothing changed worth a line. */
  why?: string;
  /** A question the converter cannot settle (a TODO in the config too). */
  todo?: string;
}

const UTC_MS = 'a MongoDB date is UTC milliseconds: timestamptz(3) keeps it exactly';

export const MONGO_TYPE_RULES: readonly TypeRule[] = [
  { type: 'String', native: 'String', why: '@db.String is MongoDB\'s string: PostgreSQL text' },
  { type: 'Int', native: 'Int', why: '@db.Int is a 32-bit integer: PostgreSQL integer' },
  {
    type: 'Int',
    native: 'Long',
    why: 'stored as 64-bit in MongoDB; Prisma\'s Int is 32-bit on PostgreSQL (integer): a larger value is refused with a reason, never cut; make it BigInt if the data needs it',
  },
  { type: 'BigInt', native: 'Long', why: '@db.Long is a 64-bit integer: PostgreSQL bigint' },
  { type: 'BigInt', native: 'Int', why: 'stored as 32-bit in MongoDB: PostgreSQL bigint holds it' },
  { type: 'Float', native: 'Double', why: '@db.Double is a 64-bit float: PostgreSQL double precision' },
  { type: 'Boolean', native: 'Bool', why: '@db.Bool: PostgreSQL boolean' },
  { type: 'DateTime', native: 'Date', to: 'Timestamptz(3)', why: `@db.Date is a BSON date, a day and a time (not PostgreSQL's date): ${UTC_MS}` },
  {
    type: 'DateTime',
    native: 'Timestamp',
    to: 'Timestamptz(3)',
    why: `@db.Timestamp is a BSON Timestamp (seconds and a counter, MongoDB's internal clock): ${UTC_MS}`,
    todo: 'holds BSON Timestamps, which the DateTime conversion refuses (it reads BSON dates and ISO text with a zone): convert them in a transformer (transformers/<model>.ts) or make the column BigInt',
  },
  { type: 'DateTime', native: undefined, to: 'Timestamptz(3)', why: UTC_MS },
  { type: 'Bytes', native: 'BinData', why: '@db.BinData is BSON binary: PostgreSQL bytea' },
  { type: 'Bytes', native: 'ObjectId', why: 'the 12 bytes of an ObjectId: PostgreSQL bytea' },
  { type: '*', native: undefined },
];

/** The rule for a scalar: its Prisma type and MongoDB native type (without `@db.`). */
export function typeRule(type: string, native: string | undefined): TypeRule {
  const rule = MONGO_TYPE_RULES.find((r) => (r.type === type || r.type === '*') && (r.native === native || r.native === '*'));
  return rule ?? { type, native: '*', why: `@db.${native ?? ''} has no PostgreSQL meaning here: dropped, the plain ${type} stays` };
}
