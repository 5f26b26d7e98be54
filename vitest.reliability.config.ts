import { defineConfig } from 'vitest/config';
import { TEST_CATALOG_ALIAS } from './test/support/catalog-alias.ts';

/**
 * `npm run test:reliability`: load, checkout storm, webhook chaos, bad input, tamper fuzz and the
 * log audit, on loopback only (one DynamoDB Local for the run, the Stripe emulator, the local stack on
 * ephemeral ports).
 * Real Powertools logging at INFO: every line the suite logs is captured and audited.
 */
export default defineConfig({
  // Tests price the committed fixture catalog, never the shop's own catalog/catalog.json.
  resolve: { alias: [TEST_CATALOG_ALIAS] },
  test: {
    include: ['test/reliability/**/*.test.ts'],
    setupFiles: ['test/reliability/setup.ts'],
    // One DynamoDB Local for the run; every file makes its own tables in it (test/support/dynamo.ts).
    globalSetup: ['test/support/dynamodb-local-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    env: {
      POWERTOOLS_LOG_LEVEL: 'INFO',
      POWERTOOLS_METRICS_DISABLED: 'false',
      POWERTOOLS_SERVICE_NAME: 'cart-checkout',
    },
  },
});
