import { textTable } from '../log/text-table.ts';
import { formatAccounting } from '../accounting/field-accounting.ts';
import type { ValidationReport } from './validate.ts';

/** The readable table: one line per model with each check, then every finding with its ids. */
export function formatValidation(report: ValidationReport): string {
  const header = ['model', 'source', 'target', 'rejected', 'skipped', 'compared', 'counts', 'fks', 'id map', 'content'];
  const rows = report.models.map((m) => [
    m.model,
    fmt(m.source),
    fmt(m.target),
    fmt(m.rejected),
    fmt(m.skipped),
    fmt(m.compared),
    m.checks.counts,
    m.checks['foreign-keys'],
    m.checks['id-map'],
    m.checks.content,
  ]);
  const schema = report.findings.filter((f) => f.check === 'schema' && f.severity !== 'warning');
  const sequences = report.findings.filter((f) => f.check === 'sequences');
  const lines = [
    ...textTable(header, rows),
    '',
    `schema: ${schema.length === 0 ? 'ok (tables, columns, types, nullability, defaults, indexes and constraints match the Prisma schema)' : `FAIL (${schema.length} difference${schema.length > 1 ? 's' : ''})`}`,
    `sequences: ${report.sequencesChecked === 0 ? 'none (UUID keys)' : sequences.length === 0 ? `ok (${report.sequencesChecked} past their highest id)` : 'FAIL'}`,
    `content compared: ${report.samplePercent >= 100 ? 'every row' : `a stable ${report.samplePercent}% sample`}, in ${report.seconds.toFixed(1)} s`,
  ];
  // Fields left behind are their own section below; every other finding, warnings marked, is listed here.
  const listed = report.findings.filter((f) => !(f.check === 'fields' && f.severity === 'warning'));
  if (listed.length > 0) {
    lines.push('', 'findings:');
    for (const f of listed) {
      lines.push(`  [${f.check}]${f.severity === 'warning' ? ' WARNING' : ''} ${f.model}: ${f.kind} ×${f.count}: ${f.message}`);
      if (f.ids.length > 0) lines.push(`      ${f.ids.join(', ')}${f.count > f.ids.length ? ', …' : ''}`);
    }
  }
  lines.push('', ...formatAccounting(report.fields));
  const warnings = report.findings.filter((f) => f.severity === 'warning').length;
  lines.push('', report.ok ? `VALID: the target equals the source${warnings > 0 ? ` (${warnings} warning${warnings > 1 ? 's' : ''} above)` : ''}` : 'NOT VALID: see the findings above');
  return lines.join('\n');
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}
