import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { BUNDLE_SETTINGS } from '../../infra/lib/bundling';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The npm packages a handler's bundle holds (esbuild metafile), bundled as the CDK app does. */
async function packagesOf(handler: string): Promise<Set<string>> {
  const result = await build({
    entryPoints: [path.join(root, 'src/handlers', `${handler}.ts`)],
    bundle: true,
    write: false,
    outfile: path.join(root, 'dist', handler, 'index.mjs'),
    format: BUNDLE_SETTINGS.format,
    platform: BUNDLE_SETTINGS.platform,
    target: BUNDLE_SETTINGS.target,
    mainFields: [...BUNDLE_SETTINGS.mainFields],
    metafile: true,
    logLevel: 'silent',
  });
  const packages = new Set<string>();
  for (const input of Object.keys(result.metafile.inputs)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match?.[1]) packages.add(match[1]);
  }
  return packages;
}

const isSdk = (name: string) =>
  name === 'stripe' || name.startsWith('@aws-sdk/') || name.startsWith('@smithy/');

// Each bundle holds only the SDKs its route uses: less code to load on a cold start. AWS is reached
// through the project's small client (src/adapters/aws), never the AWS SDK (decisions #181–#183).
describe('handler bundles', () => {
  it('keep every SDK out of the quote and catalog handlers', async () => {
    for (const handler of ['cart-quote', 'catalog']) {
      expect([...(await packagesOf(handler))].filter(isSdk), handler).toEqual([]);
    }
  });

  it('give the payment handlers the Stripe SDK they call, and no AWS SDK', async () => {
    for (const handler of ['checkout-create-session', 'checkout-session-status', 'stripe-webhook']) {
      expect([...(await packagesOf(handler))].filter(isSdk), handler).toEqual(['stripe']);
    }
  });
});
