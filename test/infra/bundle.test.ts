import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { esbuildOptionsLikeCdk } from '../../infra/lib/bundling';

const REPO = path.resolve(import.meta.dirname, '../..');
// Inside the repository, so the source map's relative paths lead to the real sources when it loads.
mkdirSync(path.join(REPO, 'node_modules', '.cache'), { recursive: true });
const outdir = mkdtempSync(path.join(REPO, 'node_modules', '.cache', 'bundle-check-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('handler bundling settings', () => {
  it('bundle Stripe, the AWS SDK and Powertools into an ES module that loads and runs', async () => {
    const outfile = path.join(outdir, 'index.mjs');
    const contents = [
      "import Stripe from 'stripe';",
      "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
      "import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';",
      "import { Logger } from '@aws-lambda-powertools/logger';",
      'export const handler = async () => {',
      "  const stripe = new Stripe('sk_test_placeholder');",
      "  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));",
      "  new Logger({ serviceName: 'bundle-check' });",
      '  return [typeof stripe.checkout.sessions.create, typeof stripe.webhooks.constructEvent, typeof doc.send];',
      '};',
    ].join('\n');
    await build(esbuildOptionsLikeCdk({ contents, resolveDir: REPO }, outfile));
    const bundled = (await import(pathToFileURL(outfile).href)) as { handler: () => Promise<string[]> };
    expect(await bundled.handler()).toEqual(['function', 'function', 'function']);
  });
});
