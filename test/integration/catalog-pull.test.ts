import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type SeedProduct, type StripeEmulator, startStripeEmulator } from '../../local/stripe-emulator';
import { createStripeClient } from '../../src/adapters/stripe/stripe-client';
import { parseCatalog } from '../../src/domain/catalog';
import { formatCatalogJson } from '../../src/ops/catalog-file';
import { fetchStripeCatalog, pullCatalog } from '../../src/ops/catalog-pull';
import { verifyCatalogPrices } from '../../src/ops/catalog-verify';
import { readSampleCatalogData } from '../support/catalog-factory';
import { TEST_STRIPE_KEY, TEST_WEBHOOK_SECRET } from '../support/stripe';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const TODAY = new Date().toISOString().slice(0, 10);

/** The shop's Stripe catalog: a tee in three sizes with images, a cap, an archived mug, a recurring box. */
const STRIPE_PRODUCTS: SeedProduct[] = [
  {
    id: 'prod_Tee',
    name: 'Club Tee',
    description: 'Soft cotton tee with the club crest.',
    images: ['https://cdn.shop.example/tee-front.png', 'https://cdn.shop.example/tee-back.png'],
    metadata: { sku: 'TEE-CLUB' },
    prices: [
      { id: 'price_1TeeS', unitAmount: 3000, currency: 'usd', metadata: { size: 'S' } },
      { id: 'price_1TeeM', unitAmount: 3000, currency: 'usd', metadata: { size: 'M' } },
      { id: 'price_1TeeXl', unitAmount: 3400, currency: 'usd', metadata: { size: 'XL', sku: 'TEE-CLUB-XL' } },
      { id: 'price_1TeeL', unitAmount: 3000, currency: 'usd', metadata: { size: 'L' }, active: false },
    ],
  },
  {
    id: 'prod_Cap',
    name: 'Dad Cap',
    images: ['https://cdn.shop.example/cap.png'],
    metadata: { sku: 'CAP-DAD-BLK' },
    prices: [
      { id: 'price_1Cap', unitAmount: 2800, currency: 'usd' },
      { id: 'price_1CapEur', unitAmount: 2600, currency: 'eur' },
    ],
  },
  {
    id: 'prod_Mug',
    name: 'Club Mug',
    active: false,
    prices: [{ id: 'price_1Mug', unitAmount: 1800, currency: 'usd' }],
  },
  {
    id: 'prod_Box',
    name: 'Sticker Box',
    prices: [{ id: 'price_1BoxMonthly', unitAmount: 900, currency: 'usd', recurring: 'month' }],
  },
];

/** The shop's own catalog before the pull, some products matching Stripe's. */
function currentCatalog(bundles: unknown[] = DEFAULT_BUNDLES) {
  return {
    $comment: 'The shop catalog.',
    version: 'v7',
    currency: 'usd',
    defaultMaxQuantity: 10,
    products: [
      {
        sku: 'TEE-CLUB',
        name: 'Club Tee',
        description: 'Placeholder description.',
        unitAmount: 3200,
        currency: 'usd',
        active: true,
        maxQuantity: 5,
        collections: ['tees', 'apparel'],
        tags: ['cotton'],
        images: ['/images/tee.svg'],
        options: [{ name: 'Size', values: ['S', 'M', 'L'] }],
        variants: [
          { sku: 'TEE-CLUB-S', options: { Size: 'S' }, stripePriceId: 'price_1TeeS' },
          { sku: 'TEE-CLUB-M', options: { Size: 'M' }, inventory: { tracked: true, whenShort: 'backorder' } },
          { sku: 'TEE-CLUB-L', options: { Size: 'L' }, stripePriceId: 'price_1TeeL' },
        ],
        inventory: { tracked: true, whenShort: 'refuse' },
      },
      {
        sku: 'CAP-DAD-BLK',
        name: 'Dad Cap — Black',
        description: 'Unstructured six-panel cap.',
        unitAmount: 2500,
        currency: 'usd',
        active: true,
        collections: ['hats'],
        tags: ['embroidered'],
        images: ['/images/cap.svg'],
      },
      {
        sku: 'MUG-CLUB',
        name: 'Club Mug',
        unitAmount: 1800,
        currency: 'usd',
        active: true,
        stripePriceId: 'price_1Mug',
        collections: ['home'],
        tags: [],
      },
      {
        sku: 'STICKER-LOGO',
        name: 'Logo Sticker',
        unitAmount: 400,
        currency: 'usd',
        active: true,
        maxQuantity: 30,
        collections: ['stickers'],
        tags: ['vinyl'],
      },
    ],
    bundles,
  };
}

const DEFAULT_BUNDLES = [
  {
    id: 'tee-tiers',
    name: 'Tee stack',
    kind: 'tiered_percent',
    collection: 'tees',
    unit: { one: 'tee', other: 'tees' },
    tiers: [{ minQuantity: 2, percentOff: 10 }],
  },
  {
    id: 'cap-and-sticker',
    name: 'Cap and sticker',
    kind: 'set',
    items: [
      { sku: 'CAP-DAD-BLK', quantity: 1 },
      { sku: 'STICKER-LOGO', quantity: 1 },
    ],
    percentOff: 10,
  },
];

let emulator: StripeEmulator;
let dir: string;

beforeAll(async () => {
  emulator = await startStripeEmulator({
    port: 0,
    apiKey: TEST_STRIPE_KEY,
    webhookSecret: TEST_WEBHOOK_SECRET,
    products: STRIPE_PRODUCTS,
  });
});

afterAll(async () => {
  await emulator.close();
});

beforeEach((context) => {
  dir = mkdtempSync(path.join(tmpdir(), 'catalog-pull-'));
  context.onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
});

function stripeClient() {
  return createStripeClient({
    secretKey: TEST_STRIPE_KEY,
    apiBase: emulator.url,
    timeoutMs: 5_000,
    maxNetworkRetries: 0,
  });
}

function writeCurrent(data: unknown): string {
  const file = path.join(dir, 'catalog.json');
  writeFileSync(file, formatCatalogJson(data));
  return file;
}

async function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [path.join(REPO, 'node_modules/tsx/dist/cli.mjs'), path.join(REPO, 'scripts/catalog.ts'), ...args],
      {
        cwd: dir,
        env: { ...process.env, STRIPE_SECRET_KEY: TEST_STRIPE_KEY, STRIPE_API_BASE: emulator.url, ...env },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (err: unknown) {
    const failed = err as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('catalog pull from the Stripe emulator', () => {
  it('builds the catalog from Stripe, keeping bundles and what the matching products had', async () => {
    const stripe = await fetchStripeCatalog(stripeClient());
    const result = pullCatalog(parseCatalog(currentCatalog()), stripe, TODAY);
    expect(result.problems).toEqual([]);
    expect(result.file).toEqual({
      $comment: 'The shop catalog.',
      version: `${TODAY}.1`,
      currency: 'usd',
      defaultMaxQuantity: 10,
      lowStockAt: 5,
      products: [
        {
          sku: 'TEE-CLUB',
          name: 'Club Tee',
          description: 'Soft cotton tee with the club crest.',
          unitAmount: 3000,
          currency: 'usd',
          active: true,
          maxQuantity: 5,
          collections: ['tees', 'apparel'],
          tags: ['cotton'],
          images: ['https://cdn.shop.example/tee-front.png', 'https://cdn.shop.example/tee-back.png'],
          options: [{ name: 'Size', values: ['S', 'M', 'XL'] }],
          variants: [
            { sku: 'TEE-CLUB-S', options: { Size: 'S' }, stripePriceId: 'price_1TeeS' },
            {
              sku: 'TEE-CLUB-M',
              options: { Size: 'M' },
              stripePriceId: 'price_1TeeM',
              inventory: { tracked: true, whenShort: 'backorder' },
            },
            { sku: 'TEE-CLUB-XL', options: { Size: 'XL' }, unitAmount: 3400, stripePriceId: 'price_1TeeXl' },
          ],
          inventory: { tracked: true, whenShort: 'refuse' },
        },
        {
          sku: 'CAP-DAD-BLK',
          name: 'Dad Cap',
          description: 'Unstructured six-panel cap.',
          unitAmount: 2800,
          currency: 'usd',
          active: true,
          stripePriceId: 'price_1Cap',
          collections: ['hats'],
          tags: ['embroidered'],
          images: ['https://cdn.shop.example/cap.png'],
        },
        {
          sku: 'STICKER-LOGO',
          name: 'Logo Sticker',
          unitAmount: 400,
          currency: 'usd',
          active: true,
          maxQuantity: 30,
          collections: ['stickers'],
          tags: ['vinyl'],
        },
      ],
      bundles: DEFAULT_BUNDLES,
    });
    expect(result.products.map((p) => [p.kind, p.sku])).toEqual([
      ['changed', 'TEE-CLUB'],
      ['changed', 'CAP-DAD-BLK'],
      ['kept', 'STICKER-LOGO'],
      ['removed', 'MUG-CLUB'],
    ]);
    const tee = result.products[0];
    expect(tee?.variants.map((v) => [v.kind, v.sku])).toEqual([
      ['changed', 'TEE-CLUB-S'],
      ['changed', 'TEE-CLUB-M'],
      ['added', 'TEE-CLUB-XL'],
      ['removed', 'TEE-CLUB-L'],
    ]);
    expect(tee?.variants[1]?.fields).toEqual([
      { field: 'price', from: '$32.00', to: '$30.00' },
      { field: 'stripePriceId', from: '(none)', to: 'price_1TeeM' },
    ]);
    expect(result.skipped).toEqual({
      recurringPrices: 1,
      otherCurrencyPrices: 1,
      pricesWithoutAmount: 0,
      productsWithoutPrice: ['Sticker Box'],
    });
    expect(result.catalogFields).toEqual([{ field: 'version', from: 'v7', to: `${TODAY}.1` }]);
    expect(result.bundlesDropped).toEqual([]);
  });

  it('previews by default, writes with --write, and then verify finds no difference', async () => {
    const current = writeCurrent(currentCatalog());
    const before = readFileSync(current, 'utf8');

    const preview = await cli(['pull', '--catalog', current]);
    expect(preview.code).toBe(0);
    expect(preview.stdout).toContain(
      'From Stripe: 2 active product(s) with 4 active one-time price(s) in usd.',
    );
    expect(preview.stdout).toContain('Left out: 1 recurring price, 1 price in another currency.');
    expect(preview.stdout).toContain('Left out, no price to sell them at: "Sticker Box".');
    expect(preview.stdout).toMatch(/~ TEE-CLUB {2}Club Tee: \$30\.00, 3 variant\(s\) \(Size: S M XL\)/);
    expect(preview.stdout).toContain('+ variant TEE-CLUB-XL  Size XL, $34.00, price_1TeeXl');
    expect(preview.stdout).toMatch(/- variant TEE-CLUB-L .*price_1TeeL is archived or gone at Stripe/);
    expect(preview.stdout).toContain('stripePriceId: (none) → price_1TeeM');
    expect(preview.stdout).toMatch(/- MUG-CLUB {2}Club Mug: .*archived at Stripe/);
    expect(preview.stdout).toContain('= STICKER-LOGO');
    expect(preview.stdout).toContain('Kept from the current catalog: 2 bundle(s)');
    expect(preview.stdout).toContain(`Catalog: version: v7 → ${TODAY}.1.`);
    expect(preview.stdout).toContain('Nothing written (a preview)');
    expect(readFileSync(current, 'utf8')).toBe(before);

    const out = path.join(dir, 'pulled.json');
    const written = await cli(['pull', '--catalog', current, '--file', out, '--write']);
    expect(written.code).toBe(0);
    expect(written.stdout).toContain(`Wrote pulled.json (version ${TODAY}.1)`);
    expect(readFileSync(current, 'utf8')).toBe(before);
    const pulled = parseCatalog(JSON.parse(readFileSync(out, 'utf8')));
    expect(pulled.sellables.map((s) => [s.sku, s.unitAmount, s.stripePriceId])).toEqual([
      ['TEE-CLUB-S', 3000, 'price_1TeeS'],
      ['TEE-CLUB-M', 3000, 'price_1TeeM'],
      ['TEE-CLUB-XL', 3400, 'price_1TeeXl'],
      ['CAP-DAD-BLK', 2800, 'price_1Cap'],
      ['STICKER-LOGO', 400, undefined],
    ]);

    const verified = await verifyCatalogPrices(pulled, stripeClient().prices);
    expect(verified).toEqual({ checked: 4, differences: [] });
    const verifyCli = await cli(['verify', '--catalog', out]);
    expect([verifyCli.code, verifyCli.stdout.trim()]).toEqual([
      0,
      `catalog ${TODAY}.1: 4 Stripe price(s) checked, all agree.`,
    ]);
    const verifyOld = await cli(['verify', '--catalog', current]);
    expect(verifyOld.code).toBe(1);
    expect(verifyOld.stdout).toContain('price_1TeeL');
  });

  it('writes the file as the formatter lays it out, so the lint passes on it', async () => {
    const current = writeCurrent(currentCatalog());
    const result = await cli(['pull', '--catalog', current, '--write']);
    expect(result.code).toBe(0);
    const text = readFileSync(current, 'utf8');
    expect(text).toContain('"collections": ["tees", "apparel"],');
    expect(await biomeFormat(text)).toBe(text);

    // Arrays on either side of the line width, last in their object or not.
    const widths = Array.from({ length: 8 }, (_, i) => {
      const tags = ['a'.repeat(35), 'b'.repeat(35), 'c'.repeat(10 + i)];
      return { sku: `W${i}`, tags, last: tags };
    });
    const edge = formatCatalogJson({ products: widths });
    expect(edge).toMatch(/"tags": \[\n/);
    expect(edge).toMatch(/"tags": \["a+", "b+", "c+"\],/);
    expect(await biomeFormat(edge)).toBe(edge);
  });

  it('is idempotent: a second pull finds nothing to change and leaves the file alone', async () => {
    const current = writeCurrent(currentCatalog());
    expect((await cli(['pull', '--catalog', current, '--write'])).code).toBe(0);
    const once = readFileSync(current, 'utf8');

    const again = pullCatalog(
      parseCatalog(JSON.parse(once)),
      await fetchStripeCatalog(stripeClient()),
      TODAY,
    );
    expect(again.changed).toBe(false);
    expect(again.catalogFields).toEqual([]);
    expect(again.products.map((p) => p.kind)).toEqual(['unchanged', 'unchanged', 'kept']);
    expect(formatCatalogJson(again.file)).toBe(once);

    const second = await cli(['pull', '--catalog', current, '--write']);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('already matches Stripe: nothing to write.');
    expect(second.stdout).not.toMatch(/^(Added|Changed|Removed) /m);
    expect(readFileSync(current, 'utf8')).toBe(once);
  });

  it('refuses, writing nothing, when a bundle names a product Stripe no longer sells', async () => {
    const bundles = [
      ...DEFAULT_BUNDLES,
      {
        id: 'mug-and-cap',
        name: 'Mug and cap',
        kind: 'set',
        items: [
          { sku: 'MUG-CLUB', quantity: 1 },
          { sku: 'CAP-DAD-BLK', quantity: 1 },
        ],
        price: 4000,
      },
    ];
    const current = writeCurrent(currentCatalog(bundles));
    const before = readFileSync(current, 'utf8');
    for (const args of [[], ['--write']]) {
      const run = await cli(['pull', '--catalog', current, ...args]);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('Cannot be written:');
      expect(run.stdout).toContain('bundle "mug-and-cap" names MUG-CLUB, which Stripe no longer sells');
      expect(run.stdout).toContain('Nothing written');
    }
    expect(readFileSync(current, 'utf8')).toBe(before);
  });

  it('replaces the sample catalog: its placeholder products and bundles go, what matches Stripe keeps its collections', async () => {
    const sample = readSampleCatalogData();
    expect(sample.sampleData).toBe(true);
    const current = writeCurrent(sample);
    const run = await cli(['pull', '--catalog', current, '--write']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/- TEE-CROP-BLK {2}Cropped Tee — Black: .*\(a sample product\)/);
    expect(run.stdout).toContain('Left out 6 sample bundle(s), which name sample products or collections');
    expect(run.stdout).toContain('sampleData: true → (removed)');

    const written = JSON.parse(readFileSync(current, 'utf8'));
    expect(written.sampleData).toBeUndefined();
    expect(written.$comment).toBeUndefined();
    const pulled = parseCatalog(written);
    expect(pulled.products.map((p) => [p.sku, p.collections])).toEqual([
      ['CAP-DAD-BLK', ['hats', 'accessories']],
      ['TEE-CLUB', []],
    ]);
    expect(pulled.bundles).toEqual([]);
    expect(await verifyCatalogPrices(pulled, stripeClient().prices)).toEqual({ checked: 4, differences: [] });
  });

  it('answers a usage error or an unreadable catalog with exit code 2 and no Stripe call', async () => {
    const calls = emulator.state().requests.length;
    const missing = await cli(['pull', '--catalog', path.join(dir, 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read');
    const bad = await cli(['pull', '--bogus']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("Unknown option '--bogus'");
    const writeOnVerify = await cli(['verify', '--write']);
    expect(writeOnVerify.code).toBe(2);
    expect(emulator.state().requests.length).toBe(calls);
  });

  it('answers Stripe out of reach with exit code 1, not the usage code', async () => {
    const unreachable = await cli(['verify'], { STRIPE_API_BASE: 'http://127.0.0.1:9' });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/^catalog: /);
  });
});

async function biomeFormat(text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [
        path.join(REPO, 'node_modules/@biomejs/biome/bin/biome'),
        'format',
        '--stdin-file-path=catalog/catalog.json',
      ],
      { cwd: REPO },
      (err, stdout) => (err ? reject(err) : resolve(stdout)),
    );
    child.stdin?.end(text);
  });
}
