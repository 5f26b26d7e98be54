import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HANDLERS, type HandlerName } from '../../../infra/lib/handlers';

const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');

export interface FixtureProject {
  readonly root: string;
  remove(): void;
}

/**
 * A throwaway project folder with a placeholder for each named handler, so the stack's wiring of
 * all five functions can be synthesized before every real handler exists. It links the real
 * node_modules so `NodejsFunction` bundles with the local esbuild.
 */
export function createFixtureProject(
  names: readonly HandlerName[] = HANDLERS.map((h) => h.name),
): FixtureProject {
  const root = mkdtempSync(path.join(tmpdir(), 'infra-fixture-'));
  writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'fixture', type: 'module' }));
  writeFileSync(path.join(root, 'package-lock.json'), JSON.stringify({ lockfileVersion: 3 }));
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  for (const name of names) {
    const spec = HANDLERS.find((h) => h.name === name)!;
    const file = path.join(root, spec.entry);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(
      file,
      `export const handler = async () => ({ statusCode: 200, body: ${JSON.stringify(name)} });\n`,
    );
  }
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}
