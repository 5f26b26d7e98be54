import { readFileSync } from 'node:fs';
import { type Catalog, parseCatalog } from '../../src/domain/catalog';
import { TEST_CATALOG_FILE } from './catalog-alias';

const catalogPath = TEST_CATALOG_FILE;

/**
 * The raw sample catalog, as data (a fresh copy each call, safe to mutate): the tests' own copy in
 * test/fixtures/catalog.json, so a shop can replace catalog/catalog.json without breaking them.
 */
export function readSampleCatalogData(): Record<string, unknown> & {
  products: Record<string, unknown>[];
  bundles: Record<string, unknown>[];
} {
  return JSON.parse(readFileSync(catalogPath, 'utf8'));
}

/** The sample catalog, validated. */
export function loadSampleCatalog(): Catalog {
  return parseCatalog(readSampleCatalogData());
}

/** The sample catalog with some fields overridden (e.g. a new version or a changed price). */
export function makeCatalog(
  overrides: { version?: string; prices?: Record<string, number>; inactive?: string[] } = {},
): Catalog {
  const data = readSampleCatalogData();
  if (overrides.version) data.version = overrides.version;
  for (const product of data.products) {
    const sku = String(product.sku);
    const price = overrides.prices?.[sku];
    if (price !== undefined) product.unitAmount = price;
    if (overrides.inactive?.includes(sku)) product.active = false;
  }
  return parseCatalog(data);
}
