import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toRefundCreateParams, toRefundListParams } from '../../src/adapters/stripe/refunds';
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
  // `export interface Name {` or `export interface Name extends Other {` (the inherited fields aside).
  const start = text.search(new RegExp(`export interface ${name} (extends \\w+ )?\\{`));
  if (start < 0) throw new Error(`no interface ${name} in ${file}`);
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

  it('GET /v1/refunds: the list the refund command reads names the payment and a page size Stripe allows', () => {
    const fields = [
      ...sdkFields('Refunds.d.ts', 'RefundListParams'),
      ...sdkFields('../shared.d.ts', 'PaginationParams'),
    ];
    expect(fields).toEqual(expect.arrayContaining(['charge', 'payment_intent', 'limit', 'starting_after']));
    const params = toRefundListParams('pi_3Example');
    for (const name of Object.keys(params)) expect(fields).toContain(name);
    expect(params.limit).toBeGreaterThanOrEqual(1);
    expect(params.limit).toBeLessThanOrEqual(100);
  });
});
