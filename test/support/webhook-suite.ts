import type { APIGatewayProxyResult } from 'aws-lambda';
import { PREFIXES } from '../../src/adapters/dynamodb/table-items';
import type { CommerceApi } from './commerce-harness';
import { scanTable, type TestTable } from './dynamo';
import { signedDelivery } from './webhook';

const DISCOUNTED = [
  { sku: 'TEE-CLASSIC-BLK-M', quantity: 2 },
  { sku: 'STICKER-LOGO', quantity: 3 },
];

/**
 * What the webhook and success-page suites share: distinct discounted carts, signed deliveries at the
 * suite's clock, and reads of the table's sessions and orders.
 */
export function webhookSuiteHelpers(options: {
  readonly table: () => TestTable;
  readonly clock: { now: number };
}) {
  const { clock } = options;
  const nowSeconds = () => Math.floor(clock.now / 1000);
  const scan = (prefix: string) => scanTable(options.table(), prefix);
  let cartCounter = 0;
  return {
    nowSeconds,
    scan,
    /** A distinct discounted cart each call, so each gets its own quote, coupon and session. */
    nextCart() {
      cartCounter += 1;
      clock.now += 11 * 60_000; // past the quote lifetime, so an equal cart gets a fresh quote too
      return [...DISCOUNTED, { sku: 'SOCKS-CREW-WHT', quantity: (cartCounter % 10) + 1 }];
    },
    parse: (result: APIGatewayProxyResult) => JSON.parse(result.body) as Record<string, any>,
    deliver: (
      api: CommerceApi,
      event: object,
      delivery: Partial<Parameters<typeof signedDelivery>[1]> = {},
    ) => api.webhook(signedDelivery(JSON.stringify(event), { timestamp: nowSeconds(), ...delivery })),
    sessionRecord: async (sessionId: string) => (await scan(`${PREFIXES.session}${sessionId}`))[0],
    ordersOf: async (sessionId: string) =>
      (await scan(PREFIXES.orders)).filter((o) => o.sessionId === sessionId),
  };
}
