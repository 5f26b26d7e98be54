import { fileURLToPath } from 'node:url';

/** The catalog every test prices against: a committed copy of the sample, owned by the tests. */
export const TEST_CATALOG_FILE = fileURLToPath(new URL('../fixtures/catalog.json', import.meta.url));

/**
 * A Vite alias that sends the code's import of the shop's catalog (`…/catalog/catalog.json`, which
 * the handlers bundle) to the test fixture. The shop owns `catalog/catalog.json` and replaces it with
 * its own products; the tests keep pricing the sample they were written against, with no change to
 * the code under test.
 */
export const TEST_CATALOG_ALIAS = {
  find: /^(?:\.\.?\/)+catalog\/catalog\.json$/,
  replacement: TEST_CATALOG_FILE,
};
