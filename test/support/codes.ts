import type { LocalStack } from '../../local/stack';
import { createTableClient, type TableClient } from '../../src/adapters/dynamodb/table-client';
import type { DiscountCode, StoredCode } from '../../src/domain/discount-code';
import { createCode } from '../../src/ops/codes';

/** A code definition for tests: 10% off everything, on top of bundles, no limits; override any part. */
export function testCode(code: string, overrides: Partial<DiscountCode> = {}): DiscountCode {
  return {
    code,
    discount: { kind: 'percent', percentOff: 10 },
    scope: { kind: 'all' },
    combination: 'with_bundles',
    minSubtotal: null,
    startsAt: null,
    endsAt: null,
    limit: null,
    limitPerEmail: null,
    enabled: true,
    ...overrides,
  };
}

/** A code as the table holds it, with no use yet (for pricing without a table); override any part. */
export function testStoredCode(code: string, overrides: Partial<StoredCode> = {}): StoredCode {
  return { ...testCode(code), used: 0, held: 0, createdAt: 0, ...overrides };
}

/** Stores a code as the operator's `codes create` does; fails the test if the code exists. */
export async function storeCode(
  table: { readonly client: TableClient; readonly tableName: string },
  code: DiscountCode,
  now: number,
): Promise<void> {
  if ((await createCode(table, code, now)) !== 'created') throw new Error(`test code ${code.code} exists`);
}

/** Stores a code in a running local stack's table (as `npm run codes -- create` would), now. */
export async function storeCodeInStack(
  stack: Pick<LocalStack, 'dynamoEndpoint' | 'env'>,
  code: DiscountCode,
): Promise<void> {
  const client = createTableClient({ endpoint: stack.dynamoEndpoint });
  try {
    await storeCode(
      { client, tableName: String(stack.env.COMMERCE_TABLE) },
      code,
      Math.floor(Date.now() / 1000),
    );
  } finally {
    client.close();
  }
}
