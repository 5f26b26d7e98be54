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

// Each bundle holds only the SDKs its route uses: less code to load on a cold start.
describe('handler bundles', () => {
  it('keep the Stripe and SES SDKs out of the quote handler', async () => {
    const packages = await packagesOf('cart-quote');
    expect(packages.has('@aws-sdk/client-dynamodb')).toBe(true);
    expect(packages.has('stripe')).toBe(false);
    expect(packages.has('@aws-sdk/client-sesv2')).toBe(false);
  });

  it('give the catalog handler the DynamoDB client for its stock read, and no other SDK', async () => {
    const packages = [...(await packagesOf('catalog'))];
    expect(packages).toContain('@aws-sdk/client-dynamodb');
    expect(
      packages.filter(
        (name) =>
          name === 'stripe' ||
          name.startsWith('@aws-sdk/client-secrets') ||
          name.startsWith('@aws-sdk/client-ses'),
      ),
    ).toEqual([]);
  });

  it('give the checkout handler the Stripe SDK it calls', async () => {
    expect((await packagesOf('checkout-create-session')).has('stripe')).toBe(true);
  });
});
