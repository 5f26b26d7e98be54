import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import shopCatalogImport from '../../catalog/catalog.json';
import { loadBundledCatalog } from '../../src/wiring';
import { TEST_CATALOG_FILE } from '../support/catalog-alias';
import { loadSampleCatalog } from '../support/catalog-factory';

describe('the catalog the tests price', () => {
  it("is the fixture wherever code imports the shop's catalog, so a shop may replace catalog/catalog.json", () => {
    const fixture = JSON.parse(readFileSync(TEST_CATALOG_FILE, 'utf8')) as { $comment: string };
    expect(shopCatalogImport.$comment).toBe(fixture.$comment);
    expect(shopCatalogImport.$comment).toMatch(/^TEST FIXTURE/);
    expect(loadBundledCatalog()).toEqual(loadSampleCatalog());
  });
});
