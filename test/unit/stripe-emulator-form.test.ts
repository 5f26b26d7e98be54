import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StripeApiError } from '../../local/stripe-emulator';
import { type FormValue, fingerprintParams, parseFormParams } from '../../local/stripe-emulator/form';
import { integer, list, object, optional, required, string } from '../../local/stripe-emulator/params';

/** Encodes nested data with bracket keys, the way Stripe's SDKs do. */
function encode(value: FormValue, prefix = ''): string[] {
  if (typeof value === 'string') return [`${encodeURIComponent(prefix)}=${encodeURIComponent(value)}`];
  return Object.entries(value).flatMap(([key, child]) => encode(child, prefix ? `${prefix}[${key}]` : key));
}

const keyArb = fc.stringMatching(/^[a-z_][a-z0-9_]{0,8}$/);
const leafArb = fc.string({ maxLength: 12 });
const treeArb: fc.Arbitrary<FormValue> = fc.letrec<{ node: FormValue }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leafArb,
    fc.dictionary(keyArb, tie('node'), { minKeys: 1, maxKeys: 4 }),
  ),
})).node;
const rootArb = fc.dictionary(keyArb, treeArb, { minKeys: 1, maxKeys: 5 });

describe('form parameters', () => {
  it('decodes nested bracket keys into nested objects', () => {
    const params = parseFormParams(
      'mode=payment&line_items[0][quantity]=2&line_items[0][price_data][product_data][name]=Tee%20%26%20Co&metadata[a]=b',
    );
    expect(JSON.parse(JSON.stringify(params))).toEqual({
      mode: 'payment',
      line_items: { 0: { quantity: '2', price_data: { product_data: { name: 'Tee & Co' } } } },
      metadata: { a: 'b' },
    });
  });

  it('appends [] entries in order', () => {
    const params = parseFormParams('expand[]=line_items&expand[]=payment_intent');
    expect(list(string()).parse(params.expand ?? '', 'expand')).toEqual(['line_items', 'payment_intent']);
  });

  it('keeps prototype-looking keys as plain data', () => {
    const params = parseFormParams('metadata[__proto__]=x&constructor=y');
    expect(Object.getPrototypeOf(params)).toBeNull();
    expect(params.constructor).toBe('y');
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('rejects a key used both as a value and as a hash', () => {
    expect(() => parseFormParams('a=1&a[b]=2')).toThrow(StripeApiError);
    expect(() => parseFormParams('a[b]=2&a=1')).toThrow(StripeApiError);
  });

  it('decodes whatever a bracket encoder produced', () => {
    fc.assert(
      fc.property(rootArb, (root) => {
        const decoded = parseFormParams(encode(root).join('&'));
        expect(fingerprintParams(decoded)).toBe(fingerprintParams(root));
      }),
    );
  });

  it('fingerprints parameters independently of their order', () => {
    fc.assert(
      fc.property(rootArb, (root) => {
        const pairs = encode(root);
        const reversed = parseFormParams([...pairs].reverse().join('&'));
        expect(fingerprintParams(reversed)).toBe(fingerprintParams(parseFormParams(pairs.join('&'))));
      }),
    );
  });
});

describe('parameter schemas', () => {
  const schema = object({
    mode: required(string()),
    items: optional(list(object({ quantity: required(integer({ min: 1 })) }), { max: 2 })),
  });

  function errorOf(encoded: string): StripeApiError {
    try {
      schema.parse(parseFormParams(encoded), '');
    } catch (err: unknown) {
      if (err instanceof StripeApiError) return err;
      throw err;
    }
    throw new Error('expected a validation error');
  }

  it('names the parameter that is unknown, missing, empty or not an integer', () => {
    expect([errorOf('mode=x&colour=red').code, errorOf('mode=x&colour=red').param]).toEqual([
      'parameter_unknown',
      'colour',
    ]);
    expect([errorOf('items[0][quantity]=1').code, errorOf('items[0][quantity]=1').param]).toEqual([
      'parameter_missing',
      'mode',
    ]);
    expect(errorOf('mode=').code).toBe('parameter_invalid_empty');
    expect([
      errorOf('mode=x&items[0][quantity]=two').code,
      errorOf('mode=x&items[0][quantity]=two').param,
    ]).toEqual(['parameter_invalid_integer', 'items[0][quantity]']);
    expect(errorOf('mode=x&items[0][quantity]=0').param).toBe('items[0][quantity]');
    expect(errorOf('mode=x&items[0][quantity]=1&items[1][quantity]=1&items[2][quantity]=1').param).toBe(
      'items',
    );
  });

  it('never stores validation errors under an idempotency key', () => {
    expect(errorOf('mode=x&colour=red').storeIdempotent).toBe(false);
  });

  it('treats an empty optional value as unset', () => {
    expect(schema.parse(parseFormParams('mode=x&items='), '')).toEqual({ mode: 'x' });
  });
});
