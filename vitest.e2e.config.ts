import { defineConfig } from 'vitest/config';
import { TEST_CATALOG_ALIAS } from './test/support/catalog-alias.ts';

/** `npm run test:e2e`: the storefront in headless Chromium against a fresh local stack. */
export default defineConfig({
  // Tests price the committed fixture catalog, never the shop's own catalog/catalog.json.
  resolve: { alias: [TEST_CATALOG_ALIAS] },
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // One browser and one stack per file; files run one after another on a 2-core machine.
    fileParallelism: false,
    env: {
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
    },
  },
});
