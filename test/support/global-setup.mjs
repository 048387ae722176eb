// Jest loads global setup outside its ESM test runtime, where TypeScript ESM does not load;
// tsx imports the real setup instead.
import { tsImport } from 'tsx/esm/api';

export default async function globalSetup() {
  const { default: setup } = await tsImport('./servers-setup.ts', import.meta.url);
  await setup();
}
