/**
 * The decisions of a conversion, one per line: what a field (or model, index, relation) became
 * and why, and every attribute or native type dropped with the reason. Written to
 * conversion.md; the TODOs also go into migration.yaml, where the answer is written.
 */
export interface ConversionNote {
  /** The model the line belongs to (`User`), or `''` for the schema as a whole. */
  model: string;
  /** What it is about, as the source schema writes it: `User.id`, `@@index([addresses.city])`. */
  subject: string;
  /** What it became: `String @id @db.Uuid`, `dropped`, `Json`. */
  became: string;
  why: string;
  /** Set when it needs an answer before the real run. */
  todo?: boolean;
}

export class ConversionNotes {
  readonly lines: ConversionNote[] = [];

  add(model: string, subject: string, became: string, why: string): void {
    this.lines.push({ model, subject, became, why });
  }

  todo(model: string, subject: string, became: string, why: string): void {
    this.lines.push({ model, subject, became, why, todo: true });
  }

  /** The open questions, those about the schema as a whole (the source) first. */
  get todos(): ConversionNote[] {
    const open = this.lines.filter((l) => l.todo === true);
    return [...open.filter((l) => l.model === ''), ...open.filter((l) => l.model !== '')];
  }
}

/** conversion.md: the rules in force, the lines by model (in the schema's order), then the open questions. */
export function printConversion(input: { title: string; preamble: string[]; notes: ConversionNotes; models: readonly string[] }): string {
  const out = [`# ${input.title}`, '', ...input.preamble, ''];
  const general = input.notes.lines.filter((l) => l.model === '');
  if (general.length > 0) out.push('## The schema', '', ...general.map(line), '');
  for (const model of input.models) {
    const mine = input.notes.lines.filter((l) => l.model === model);
    if (mine.length > 0) out.push(`## ${model}`, '', ...mine.map(line), '');
  }
  const todos = input.notes.todos;
  out.push('## To decide before the real run', '');
  out.push(...(todos.length > 0 ? todos.map(line) : ['Nothing: every field has a rule.']), '');
  return out.join('\n');
}

function line(n: ConversionNote): string {
  return `- ${n.todo ? '**TODO** ' : ''}\`${n.subject}\` → ${n.became}: ${n.why}`;
}
