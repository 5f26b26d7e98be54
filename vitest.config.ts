import { defineConfig } from 'vitest/config';
import { TEST_CATALOG_ALIAS } from './test/support/catalog-alias.ts';

export default defineConfig({
  // Tests price the committed fixture catalog, never the shop's own catalog/catalog.json.
  resolve: { alias: [TEST_CATALOG_ALIAS] },
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'test/reliability/**', 'node_modules/**'],
    // One DynamoDB Local for the run; every file makes its own tables in it (test/support/dynamo.ts).
    globalSetup: ['test/support/dynamodb-local-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: {
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
    },
  },
});
