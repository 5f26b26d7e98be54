import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { CartItem } from '../src/domain/cart';
import { type Catalog, parseCatalog } from '../src/domain/catalog';
import { priceCart } from '../src/domain/pricing';

/*
 * Pricing benchmark: median priceCart time (search + allocation + hints) on the sample catalog and on
 * synthetic catalogs with many overlapping bundles. Not part of `npm test`: run `npm run bench:pricing`
 * or `tsx bench/pricing.ts`. Figures depend on the machine; the report says which Node ran them.
 */

const LINE_COUNTS = [1, 5, 10, 25, 50, 100] as const;
const BUNDLE_COUNTS = [0, 1, 5, 10, 20] as const;
const TARGET_MICROS_50_LINES = 1000;

/** A small seeded generator (mulberry32): the synthetic catalogs and carts are the same on every run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PRODUCT_COUNT = 200;
const COLLECTION_COUNT = 8;

/**
 * A shop of 200 products, each in two of eight collections, with `bundleCount` bundles cycling
 * through the three kinds: tiers and multi-buys over collections (which overlap, since every
 * product is in two), and sets of two or three products that are also in those collections.
 */
function syntheticCatalog(bundleCount: number): Catalog {
  const random = seededRandom(20_261_126);
  const pick = (n: number) => Math.floor(random() * n);
  const products = Array.from({ length: PRODUCT_COUNT }, (_, i) => {
    const first = pick(COLLECTION_COUNT);
    const second = (first + 1 + pick(COLLECTION_COUNT - 1)) % COLLECTION_COUNT;
    return {
      sku: `SKU-${String(i).padStart(3, '0')}`,
      name: `Product ${i}`,
      unitAmount: 300 + 50 * pick(150),
      currency: 'usd',
      active: true,
      maxQuantity: 20,
      collections: [`c${first}`, `c${second}`],
      tags: [],
    };
  });
  const bundles = Array.from({ length: bundleCount }, (_, i) => {
    const collection = `c${i % COLLECTION_COUNT}`;
    const base = { id: `bundle-${i}`, name: `Bundle ${i}` };
    switch (i % 3) {
      case 0:
        return {
          ...base,
          kind: 'tiered_percent',
          collection,
          unit: { one: 'item', other: 'items' },
          tiers: [
            { minQuantity: 2, percentOff: 5 + (i % 4) },
            { minQuantity: 4, percentOff: 12 + (i % 5) },
            { minQuantity: 6, percentOff: 20 + (i % 3) },
          ],
        };
      case 1:
        return {
          ...base,
          kind: 'multi_buy',
          collection,
          unit: { one: 'item', other: 'items' },
          quantity: 2 + (i % 3),
          price: (2 + (i % 3)) * 2500,
        };
      default: {
        const size = 2 + (i % 2);
        const skus = new Set<number>();
        while (skus.size < size) skus.add(pick(PRODUCT_COUNT));
        const items = [...skus].map((index) => ({ sku: products[index]?.sku ?? '', quantity: 1 }));
        const sum = [...skus].reduce((s, index) => s + (products[index]?.unitAmount ?? 0), 0);
        return i % 4 === 2
          ? { ...base, kind: 'set', items, percentOff: 15 }
          : { ...base, kind: 'set', items, price: Math.round(sum * 0.85) };
      }
    }
  });
  return parseCatalog({ version: 'bench', currency: 'usd', products, bundles });
}

/**
 * `lines` distinct SKUs, quantities 1–3. Set items come first so that every set can apply; the rest
 * are drawn at random, so collection bundles see eligible units from many lines.
 */
function syntheticCart(catalog: Catalog, lines: number, seed: number): CartItem[] {
  const random = seededRandom(seed);
  const chosen: string[] = [];
  for (const bundle of catalog.activeBundles) {
    if (bundle.kind !== 'set') continue;
    for (const item of bundle.items) if (!chosen.includes(item.sku)) chosen.push(item.sku);
  }
  const skus = catalog.products.map((p) => p.sku);
  while (chosen.length < lines) {
    const sku = skus[Math.floor(random() * skus.length)] ?? '';
    if (!chosen.includes(sku)) chosen.push(sku);
  }
  return chosen.slice(0, lines).map((sku) => ({ sku, quantity: 1 + Math.floor(random() * 3) }));
}

interface Measurement {
  readonly medianMicros: number;
  readonly p90Micros: number;
  readonly runs: number;
  readonly exact: boolean;
  readonly units: number;
  readonly bundlesApplied: number;
}

/** Median of priceCart after a warm-up; runs until ~`budgetMs` of measuring or 2,001 runs. */
function measure(catalog: Catalog, items: readonly CartItem[], budgetMs = 150): Measurement {
  const first = priceCart(catalog, items);
  for (let i = 0; i < 30; i++) priceCart(catalog, items);
  const samples: number[] = [];
  const deadline = process.hrtime.bigint() + BigInt(budgetMs) * 1_000_000n;
  while (samples.length < 2001 && (samples.length < 21 || process.hrtime.bigint() < deadline)) {
    const start = process.hrtime.bigint();
    priceCart(catalog, items);
    samples.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  samples.sort((a, b) => a - b);
  return {
    medianMicros: samples[Math.floor(samples.length / 2)] ?? 0,
    p90Micros: samples[Math.floor(samples.length * 0.9)] ?? 0,
    runs: samples.length,
    exact: first.search === 'exact',
    units: items.reduce((sum, item) => sum + item.quantity, 0),
    bundlesApplied: first.appliedBundles.length,
  };
}

const micros = (value: number) => (value >= 100 ? value.toFixed(0) : value.toFixed(1));

/** Runs the pricing benchmark and returns a printable report. */
export async function runPricingBench(): Promise<string> {
  const out: string[] = [];
  out.push(
    `Pricing benchmark — Node ${process.version}, median priceCart time (search + allocation + hints)`,
  );
  out.push('');

  const sample = parseCatalog(
    JSON.parse(readFileSync(new URL('../catalog/catalog.json', import.meta.url), 'utf8')),
  );
  const sampleCarts: [string, CartItem[]][] = [
    ['sample catalog, 1 line', [{ sku: 'TEE-CLASSIC-BLK', quantity: 3 }]],
    [
      'sample catalog, 10 lines (all 6 bundles)',
      [
        { sku: 'TEE-CLASSIC-BLK', quantity: 2 },
        { sku: 'TEE-LOGO-PNK', quantity: 1 },
        { sku: 'TEE-VINTAGE-WASH', quantity: 1 },
        { sku: 'HOODIE-LOGO-BLK', quantity: 2 },
        { sku: 'HOODIE-ZIP-GRY', quantity: 1 },
        { sku: 'SWEAT-JOGGER-GRY', quantity: 1 },
        { sku: 'CAP-DAD-BLK', quantity: 2 },
        { sku: 'TOTE-CANVAS', quantity: 1 },
        { sku: 'STICKER-LOGO', quantity: 4 },
        { sku: 'STICKER-CHERRY', quantity: 3 },
      ],
    ],
  ];
  const headline: string[] = [];
  for (const [label, items] of sampleCarts) {
    const m = measure(sample, items);
    headline.push(
      `${label.padEnd(44)} ${micros(m.medianMicros).padStart(7)} µs  (p90 ${micros(m.p90Micros)} µs, ${m.units} units, ${m.bundlesApplied} bundles applied, ${m.exact ? 'exact' : 'heuristic'})`,
    );
  }
  const busy = syntheticCatalog(10);
  const fifty = measure(busy, syntheticCart(busy, 50, 7));
  headline.push(
    `${'synthetic 200 SKUs, 10 bundles, 50 lines'.padEnd(44)} ${micros(fifty.medianMicros).padStart(7)} µs  (p90 ${micros(fifty.p90Micros)} µs, ${fifty.units} units, ${fifty.bundlesApplied} bundles applied, ${fifty.exact ? 'exact' : 'heuristic'})`,
  );
  out.push(...headline);
  out.push(
    `target: 50 lines ≤ ${TARGET_MICROS_50_LINES} µs median — ${fifty.medianMicros <= TARGET_MICROS_50_LINES ? 'met' : 'NOT met'}`,
  );
  out.push('');

  out.push(
    'Synthetic catalog (200 SKUs, each in 2 of 8 collections): median µs per cart; * = heuristic fallback',
  );
  out.push(`${'lines \\ bundles'.padEnd(16)}${BUNDLE_COUNTS.map((b) => String(b).padStart(10)).join('')}`);
  for (const lines of LINE_COUNTS) {
    const cells = BUNDLE_COUNTS.map((bundles) => {
      const catalog = syntheticCatalog(bundles);
      const m = measure(catalog, syntheticCart(catalog, lines, 1000 + lines), 100);
      return `${micros(m.medianMicros)}${m.exact ? ' ' : '*'}`.padStart(10);
    });
    out.push(`${String(lines).padEnd(16)}${cells.join('')}`);
  }
  return out.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await runPricingBench());
}
