/** Where in the pipeline a record was refused; stored with every rejected record. */
export type RejectStage = 'read' | 'transform' | 'check' | 'load' | 'link';

/**
 * Thrown for one record that cannot be migrated as it is. The pipeline catches it per
 * document, logs the document with the reason, and carries on with the rest.
 */
export class RejectError extends Error {
  readonly stage: RejectStage;
  constructor(stage: RejectStage, reason: string) {
    super(reason);
    this.name = 'RejectError';
    this.stage = stage;
  }
}

export function reject(reason: string, stage: RejectStage = 'transform'): never {
  throw new RejectError(stage, reason);
}
