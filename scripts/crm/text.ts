import type { Rand } from '../sample/random.ts';
import { paragraphs, slugify } from '../sample/text.ts';

const COMPANY_HEADS = [
  'Nordwind', 'Lumière', 'Acme', 'Blue Harbor', 'Kōyō', 'Fjord', 'Sol y Mar', 'Vértice', 'Brightline', 'Zürcher',
  'Maple & Oak', 'Pixelwerk', 'Cerulean', 'Ōmiya', 'Atlas', 'Quokka', 'Boréal', 'Tamarind', 'Helix', 'Grünfeld',
] as const;
const COMPANY_TAILS = ['Systems', 'Logistics', 'Studio', 'Labs', 'Consulting', 'Foods', 'Energy', 'Partners', 'Robotics', 'Media'] as const;
const LEGAL = ['', '', '', ' GmbH', ' SARL', ' Ltd.', ' Inc.', ' S.A.', ' 株式会社', ' B.V.'] as const;

export const INDUSTRIES = ['Software', 'Logistics', 'Retail', 'Manufacturing', 'Healthcare', 'Finance', 'Education', 'Énergie'] as const;

export function companyName(r: Rand): string {
  return `${r.pick(COMPANY_HEADS)} ${r.pick(COMPANY_TAILS)}${r.pick(LEGAL)}`;
}

/** A domain unique per company (the index is in it), made from its name. */
export function domainFor(name: string, index: number): string {
  return `${slugify(name).slice(0, 30)}-${index}.example.com`;
}

/**
 * Text as people paste it into a CRM: usually short, sometimes a long mail thread pasted whole
 * (tens of kilobytes), with every kind of character.
 */
export function freeText(r: Rand, longShare: number): string {
  if (!r.chance(longShare)) return paragraphs(r, 1, 3);
  const thread: string[] = [];
  const parts = r.int(20, 80);
  for (let i = 0; i < parts; i++) thread.push(`> ${paragraphs(r, 1, 2)}`);
  return thread.join('\n—\n');
}
