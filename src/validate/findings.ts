/** The checks validate runs; each finding belongs to exactly one. */
export type CheckName = 'counts' | 'foreign-keys' | 'id-map' | 'content' | 'schema' | 'sequences' | 'fields';

export const CHECKS: readonly CheckName[] = ['counts', 'foreign-keys', 'id-map', 'content', 'schema', 'sequences', 'fields'];

/** One defect, with the ids it concerns (the first few; `count` says how many in all). */
export interface Finding {
  check: CheckName;
  model: string;
  kind: string;
  message: string;
  ids: string[];
  count: number;
  /** A warning is reported but does not make the target invalid (a dangling id kept on purpose, a reference set NULL, a field left behind under `unmappedFields: warn`). */
  severity?: 'warning';
}

/** Keeps the first `limit` ids of each kind of finding and counts the rest: memory stays flat. */
export class Findings {
  private readonly list: Finding[] = [];
  constructor(private readonly limit = 20) {}

  add(check: CheckName, model: string, kind: string, message: string, id?: string): void {
    let finding = this.list.find((f) => f.check === check && f.model === model && f.kind === kind);
    if (!finding) {
      finding = { check, model, kind, message, ids: [], count: 0 };
      this.list.push(finding);
    }
    finding.count++;
    if (id !== undefined && finding.ids.length < this.limit) finding.ids.push(id);
  }

  addMany(check: CheckName, model: string, kind: string, message: string, ids: readonly string[], total = ids.length): void {
    if (total === 0) return;
    let finding = this.list.find((f) => f.check === check && f.model === model && f.kind === kind);
    if (!finding) {
      finding = { check, model, kind, message, ids: [], count: 0 };
      this.list.push(finding);
    }
    finding.count += total;
    finding.ids.push(...ids.slice(0, Math.max(0, this.limit - finding.ids.length)));
  }

  /** A finding that is reported but leaves the target valid. */
  warn(check: CheckName, model: string, kind: string, message: string, ids: readonly string[], total = ids.length): void {
    this.addMany(check, model, kind, message, ids, total);
    const finding = this.list.find((f) => f.check === check && f.model === model && f.kind === kind);
    if (finding) finding.severity = 'warning';
  }

  all(): Finding[] {
    return [...this.list];
  }
}
