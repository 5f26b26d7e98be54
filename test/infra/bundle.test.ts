import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { esbuildOptionsLikeCdk, validatedCatalogModule } from '../../infra/lib/bundling';
import { type CatalogData, catalogOf, parseCatalog, validateCatalog } from '../../src/domain/catalog';
import { testDynamoEndpoint } from '../support/dynamo';

const REPO = path.resolve(import.meta.dirname, '../..');
// Inside the repository, so the source map's relative paths lead to the real sources when it loads.
mkdirSync(path.join(REPO, 'node_modules', '.cache'), { recursive: true });
const outdir = mkdtempSync(path.join(REPO, 'node_modules', '.cache', 'bundle-check-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('handler bundling settings', () => {
  it('bundle Stripe, the table client and the telemetry into an ES module that loads and calls DynamoDB', async () => {
    const outfile = path.join(outdir, 'index.mjs');
    const contents = [
      "import Stripe from 'stripe';",
      "import { createTableClient } from './src/adapters/dynamodb/table-client';",
      "import { createJsonTelemetry } from './src/adapters/json-telemetry';",
      'export const handler = async (endpoint) => {',
      "  const stripe = new Stripe('sk_test_placeholder');",
      '  const table = createTableClient({ endpoint });',
      "  createJsonTelemetry({ serviceName: 'bundle-check' });",
      "  const refusal = await table.get({ TableName: 'no-such-table', Key: { PK: 'A', SK: 'B' } }).catch((err) => err);",
      '  table.close();',
      '  return [typeof stripe.checkout.sessions.create, typeof stripe.webhooks.constructEvent, refusal.code];',
      '};',
    ].join('\n');
    await build(esbuildOptionsLikeCdk({ contents, resolveDir: REPO }, outfile));
    const bundled = (await import(pathToFileURL(outfile).href)) as {
      handler: (endpoint: string) => Promise<string[]>;
    };
    expect(await bundled.handler(testDynamoEndpoint())).toEqual([
      'function',
      'function',
      'ResourceNotFoundException',
    ]);
    // Node's built-ins come through process.getBuiltinModule, never as ES modules (decision #184).
    const code = readFileSync(outfile, 'utf8');
    expect(code.match(/\bimport\s*[^;()]*?from\s*"(node:)?[a-z_/]+"/g) ?? []).toEqual([]);
    expect(code).toContain('process.getBuiltinModule("node:http")');
  });
});

describe('the catalog in the bundles', () => {
  it('is validated at build time: a bundle carries its validated data, not the raw file or its parsing', async () => {
    const outfile = path.join(outdir, 'catalog-handler', 'index.mjs');
    const result = await build(
      esbuildOptionsLikeCdk({ file: path.join(REPO, 'src/handlers/catalog.ts') }, outfile),
    );
    const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint);
    const bytesOf = (suffix: string) =>
      Object.entries(output?.inputs ?? {}).find(([input]) => input.endsWith(suffix))?.[1].bytesInOutput ?? 0;
    expect(bytesOf('catalog/catalog.json')).toBe(0);
    expect(bytesOf('validated-catalog.mjs')).toBeGreaterThan(1_000);
    expect(readFileSync(outfile, 'utf8')).not.toContain('safeParse');
  });

  it('gives a function the same catalog the code validates unbundled', async () => {
    const raw: unknown = JSON.parse(readFileSync(path.join(REPO, 'catalog/catalog.json'), 'utf8'));
    const module = (await import(pathToFileURL(validatedCatalogModule()).href)) as {
      __validatedCatalog: CatalogData;
    };
    expect(module.__validatedCatalog).toEqual(validateCatalog(raw));
    expect(catalogOf(module.__validatedCatalog)).toEqual(parseCatalog(raw));
  });
});
