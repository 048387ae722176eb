import type { EmbeddedServer } from '../../src/target/embedded-postgres.ts';
import type { FerretServer } from './ferretdb.ts';

export default async function globalTeardown(): Promise<void> {
  const started = (globalThis as { __servers?: { postgres?: EmbeddedServer; ferret?: FerretServer } }).__servers;
  await started?.ferret?.stop();
  await started?.postgres?.stop();
}
