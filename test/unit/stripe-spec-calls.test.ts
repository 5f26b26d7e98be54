import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toRefundCreateParams } from '../../src/adapters/stripe/refunds';
import { REFUND_REASONS } from '../../src/app/order-life-ports';

const spec = JSON.parse(
  readFileSync(new URL('../fixtures/stripe/openapi-refund-create.json', import.meta.url), 'utf8'),
) as { parameters: string[]; enums: { reason: string[] } };

/** The field names of an interface in the installed stripe-node's types (generated from the same spec). */
function sdkFields(file: string, name: string): string[] {
  const text = readFileSync(
    new URL(`../../node_modules/stripe/cjs/resources/${file}`, import.meta.url),
    'utf8',
  );
  const start = text.indexOf(`export interface ${name} {`);
  const body = text.slice(start, text.indexOf('\n}', start));
  return [...body.matchAll(/^ {4}([a-z_]+)\??:/gm)].map((m) => m[1] ?? '');
}

describe("the calls the code makes are in Stripe's published API", () => {
  it('POST /v1/refunds: every parameter the refund adapter sends, with a reason Stripe knows', () => {
    expect(sdkFields('Refunds.d.ts', 'RefundCreateParams').sort()).toEqual([...spec.parameters].sort());
    for (const reason of [...REFUND_REASONS, null]) {
      const params = toRefundCreateParams({
        paymentIntentId: 'pi_3Example',
        amount: 1250,
        reason,
        metadata: { sessionId: 'cs_test_a1Example', source: 'orders-cli' },
      });
      for (const name of Object.keys(params)) expect(spec.parameters).toContain(name);
      expect(Number.isInteger(params.amount)).toBe(true);
      if (params.reason !== undefined) expect(spec.enums.reason).toContain(params.reason);
      expect(Object.values(params.metadata ?? {}).every((v) => typeof v === 'string')).toBe(true);
    }
    expect([...REFUND_REASONS].sort()).toEqual([...spec.enums.reason].sort());
  });
});
