import { mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { BUILD_SOURCES, staleBuild } from '../../src/cli/fresh-build.ts';

/** A package with sources and their compiled twins, every twin written a second after its source. */
function builtTree(files: string[]): string {
  const root = mkdtempSync(join(tmpdir(), 'fresh-build-'));
  const at = Date.now() / 1000 - 60;
  for (const file of files) {
    const source = join(root, file);
    const compiled = join(root, 'dist', file.replace(/\.ts$/, '.js'));
    for (const path of [source, compiled]) mkdirSync(dirname(path), { recursive: true });
    writeFileSync(source, 'export {};\n');
    writeFileSync(compiled, 'export {};\n');
    utimesSync(source, at, at);
    utimesSync(compiled, at + 1, at + 1);
  }
  return root;
}

const touch = (path: string) => utimesSync(path, new Date(), new Date());

describe('staleBuild: is dist/ older than the sources it was compiled from', () => {
  const files = ['src/cli/migrate-cli.ts', 'src/run/migrate.ts', 'scripts/benchmark.ts', 'test/sqlite/make-torture.ts'];

  test('a build newer than every source is fresh', () => {
    expect(staleBuild(builtTree(files))).toBeUndefined();
  });

  test('a source edited after the build is named', () => {
    const root = builtTree(files);
    touch(join(root, 'src/run/migrate.ts'));
    expect(staleBuild(root)).toBe('src/run/migrate.ts changed since the build');
  });

  test('a source the build did not see is named', () => {
    const root = builtTree(files);
    writeFileSync(join(root, 'scripts/new-script.ts'), 'export {};\n');
    expect(staleBuild(root)).toBe('scripts/new-script.ts is not compiled');
  });

  test('a compiled file whose source is gone is named (a rename leaves the old .js behind)', () => {
    const root = builtTree(files);
    writeFileSync(join(root, 'dist/src/run/renamed.js'), 'export {};\n');
    expect(staleBuild(root)).toBe('dist/src/run/renamed.js has no source any more');
  });

  test('no dist/ at all is stale', () => {
    const root = builtTree([]);
    expect(staleBuild(root)).toBe('there is no dist/');
  });

  test('the generated Prisma client and declaration files are not compiled, so not compared', () => {
    const root = builtTree(files);
    mkdirSync(join(root, 'src/generated/prisma'), { recursive: true });
    writeFileSync(join(root, 'src/generated/prisma/client.ts'), 'export {};\n');
    writeFileSync(join(root, 'src/types.d.ts'), 'export {};\n');
    expect(staleBuild(root)).toBeUndefined();
  });

  test('the folders compared are the ones tsconfig.build.json compiles', () => {
    const config = JSON.parse(readFileSync(new URL('../../tsconfig.build.json', import.meta.url), 'utf8')) as { include: string[]; exclude: string[] };
    expect(config.include).toEqual([...BUILD_SOURCES]);
    expect(config.exclude).toEqual(['src/generated']);
  });
});
