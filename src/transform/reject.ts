/** Where in the pipeline a record was refused; stored with every rejected record. */
export type RejectStage = 'read' | 'transform' | 'check' | 'load' | 'link';

/** The mark every RejectError carries, shared by every copy of this module in the process. */
const REJECT = Symbol.for('prisma-pg-migrator.RejectError');

/**
 * Thrown for one record that cannot be migrated as it is. The pipeline catches it per
 * document, logs the document with the reason, and carries on with the rest.
 *
 * `instanceof` recognises it by its mark, not by its class: when the migrator runs compiled
 * (dist/), a transformer's `import { reject } from '../src/transform/reject.ts'` loads this file
 * a second time, from its TypeScript source, with a class of its own.
 */
export class RejectError extends Error {
  readonly stage: RejectStage;
  readonly [REJECT] = true;
  constructor(stage: RejectStage, reason: string) {
    super(reason);
    this.name = 'RejectError';
    this.stage = stage;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as { [REJECT]?: unknown })[REJECT] === true;
  }
}

export function reject(reason: string, stage: RejectStage = 'transform'): never {
  throw new RejectError(stage, reason);
}
