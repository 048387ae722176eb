/**
 * A derived model with a composite key, written by a hand-written transformer in plain
 * JavaScript, as a team may write one: surveys, each deriving its answers keyed by
 * (surveyId, position). With `skipArchived`, a survey marked `archived` is skipped on purpose.
 */
export function surveyFixture(options: { skipArchived?: boolean } = {}): { SCHEMA: string; TRANSFORMERS: string } {
  const SCHEMA = `
datasource db {
  provider = "postgresql"
}
model Survey {
  id      String   @id @db.Uuid
  title   String
  answers Answer[]
  @@map("surveys")
}
model Answer {
  surveyId String @db.Uuid
  position Int
  text     String
  survey   Survey @relation(fields: [surveyId], references: [id])
  @@id([surveyId, position])
  @@map("answers")
}
`;
  const TRANSFORMERS = `
export default [{
  model: 'Survey',
  derives: { Answer: 'surveyId' },
  transform(doc, ctx) {${options.skipArchived ? "\n    if (doc.archived === true) return { rows: { Survey: [] } };" : ''}
    const answers = (doc.answers ?? []).map((a, position) => ({ surveyId: ctx.uuid, position, text: ctx.convert('Answer', 'text', a.text) }));
    return { rows: { Survey: [ctx.defaultRow(doc)], Answer: answers } };
  },
}];
`;
  return { SCHEMA, TRANSFORMERS };
}
