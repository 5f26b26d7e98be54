import { describe, expect, it } from 'vitest';
import { ApiError, createApiClient, type FetchLike, retryAfterOf } from '../../storefront/src/api';
import {
  addToCart,
  CART_ID_STORAGE_KEY,
  CART_STORAGE_KEY,
  cartIdOf,
  cartKey,
  type KeyValueStore,
  loadCart,
  MAX_CART_LINES,
  renewCartId,
  saveCart,
  setQuantity,
} from '../../storefront/src/cart';
import { describeFailure, describePriceChange, formatMoney } from '../../storefront/src/messages';
import {
  clearPendingCheckout,
  loadPendingCheckout,
  savePendingCheckout,
} from '../../storefront/src/pending-checkout';

function memoryStore(initial: Record<string, string> = {}): KeyValueStore & { data: Map<string, string> } {
  const data = new Map(Object.entries(initial));
  return {
    data,
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
    removeItem: (key) => void data.delete(key),
  };
}

function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

describe('storefront cart', () => {
  it('adds, changes and removes lines, clamping each quantity to the product maximum', () => {
    let cart = addToCart([], 'TEE-A', 1, 3);
    cart = addToCart(cart, 'CAP-B', 2, 10);
    cart = addToCart(cart, 'TEE-A', 5, 3);
    expect(cart).toEqual([
      { sku: 'TEE-A', quantity: 3 },
      { sku: 'CAP-B', quantity: 2 },
    ]);
    expect(setQuantity(cart, 'CAP-B', 0, 10)).toEqual([{ sku: 'TEE-A', quantity: 3 }]);
    expect(setQuantity(cart, 'CAP-B', 2.7, 10)).toEqual(cart);
    expect(setQuantity(cart, 'CAP-B', Number.NaN, 10)).toEqual([{ sku: 'TEE-A', quantity: 3 }]);
  });

  it('never grows past the API line limit', () => {
    let cart = addToCart([], 'SKU-0', 1, 5);
    for (let i = 1; i <= MAX_CART_LINES; i += 1) cart = addToCart(cart, `SKU-${i}`, 1, 5);
    expect(cart).toHaveLength(MAX_CART_LINES);
    expect(addToCart(cart, 'SKU-0', 1, 5).find((l) => l.sku === 'SKU-0')?.quantity).toBe(2);
  });

  it('identifies a cart by its contents, whatever the order or repeated lines', () => {
    expect(
      cartKey([
        { sku: 'B', quantity: 1 },
        { sku: 'A', quantity: 2 },
        { sku: 'B', quantity: 1 },
      ]),
    ).toBe(
      cartKey([
        { sku: 'A', quantity: 2 },
        { sku: 'B', quantity: 2 },
      ]),
    );
    expect(cartKey([{ sku: 'A', quantity: 2 }])).not.toBe(cartKey([{ sku: 'A', quantity: 3 }]));
  });

  it('survives a reload through storage and drops malformed saved lines instead of failing', () => {
    const store = memoryStore();
    const cart = [
      { sku: 'TEE-A', quantity: 2 },
      { sku: 'CAP-B', quantity: 1 },
    ];
    saveCart(store, cart);
    expect(loadCart(store)).toEqual(cart);

    store.setItem(
      CART_STORAGE_KEY,
      JSON.stringify([
        { sku: 'TEE-A', quantity: 2 },
        { sku: 3 },
        null,
        { sku: 'X', quantity: -1 },
        { sku: 'Y', quantity: 1.5 },
      ]),
    );
    expect(loadCart(store)).toEqual([{ sku: 'TEE-A', quantity: 2 }]);
    store.setItem(CART_STORAGE_KEY, '{not json');
    expect(loadCart(store)).toEqual([]);

    saveCart(store, []);
    expect(store.data.has(CART_STORAGE_KEY)).toBe(false);
  });

  it('keeps working when storage refuses to save', () => {
    const store = memoryStore();
    store.setItem = () => {
      throw new Error('QuotaExceededError');
    };
    expect(() => saveCart(store, [{ sku: 'TEE-A', quantity: 1 }])).not.toThrow();
  });
});

describe('storefront cart id', () => {
  it('keeps one well-formed id per browser until the cart is bought, then starts a new one', () => {
    const store = memoryStore();
    const first = cartIdOf(store);
    expect(first).toMatch(/^[A-Za-z0-9_-]{16,64}$/);
    expect(cartIdOf(store)).toBe(first);
    expect(store.data.get(CART_ID_STORAGE_KEY)).toBe(first);
    const renewed = renewCartId(store);
    expect(renewed).not.toBe(first);
    expect(cartIdOf(store)).toBe(renewed);
  });

  it('replaces a saved id of the wrong shape, and still gives one when storage fails', () => {
    expect(cartIdOf(memoryStore({ [CART_ID_STORAGE_KEY]: 'bad id' }))).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const broken: KeyValueStore = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('denied');
      },
      removeItem: () => undefined,
    };
    expect(cartIdOf(broken)).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});

describe('storefront API client', () => {
  it('calls the API under its base URL with JSON, CORS mode and no cookies', async () => {
    const calls: { url: string; init: RequestInit }[] = [];
    const fetchSpy: FetchLike = async (url, init) => {
      calls.push({ url, init });
      return jsonResponse(201, {
        checkoutUrl: 'https://pay.example/cs',
        sessionId: 'cs_test_1',
        quoteSignature: 's',
      });
    };
    const api = createApiClient({ baseUrl: 'https://api.example/', fetch: fetchSpy });
    const result = await api.createCheckoutSession({
      items: [{ sku: 'TEE-A', quantity: 1 }],
      quoteSignature: 'qs1.x',
      email: 'a@example.com',
      cartId: 'cart_0123456789abcdef',
    });
    expect(result.created).toBe(true);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.url).toBe('https://api.example/checkout/create-session');
    expect(calls[0]?.init).toMatchObject({ method: 'POST', mode: 'cors', credentials: 'omit' });
    expect(new Headers(calls[0]?.init.headers).get('content-type')).toBe('application/json');
    expect(JSON.parse(String(calls[0]?.init.body))).toEqual({
      items: [{ sku: 'TEE-A', quantity: 1 }],
      quoteSignature: 'qs1.x',
      email: 'a@example.com',
      cartId: 'cart_0123456789abcdef',
    });
  });

  it('asks for the catalog afresh on each load (the browser revalidates its copy), so stock shown is current', async () => {
    const calls: { url: string; init: RequestInit }[] = [];
    const api = createApiClient({
      baseUrl: 'https://api.example',
      fetch: async (url, init) => {
        calls.push({ url, init });
        return jsonResponse(200, {
          version: 'v',
          currency: 'usd',
          sampleData: true,
          products: [],
          bundles: [],
        });
      },
    });
    await api.getCatalog();
    expect(calls[0]?.url).toBe('https://api.example/catalog');
    expect(calls[0]?.init).toMatchObject({ cache: 'no-cache', mode: 'cors', credentials: 'omit' });
  });

  it('tells an open session (200) from a new one (201)', async () => {
    const api = createApiClient({
      baseUrl: '',
      fetch: async () => jsonResponse(200, { checkoutUrl: 'u', sessionId: 'cs_test_1', quoteSignature: 's' }),
    });
    const result = await api.createCheckoutSession({
      items: [{ sku: 'A', quantity: 1 }],
      quoteSignature: 'q',
    });
    expect(result.created).toBe(false);
  });

  it('sends the cart id with the quote, so the cart’s own held units count as its own', async () => {
    const bodies: unknown[] = [];
    const api = createApiClient({
      baseUrl: '',
      fetch: async (_url, init) => {
        bodies.push(JSON.parse(String(init.body)));
        return jsonResponse(200, { quoteSignature: 'q', expiresAt: '2026-11-27T12:10:00Z', quote: {} });
      },
    });
    await api.quoteCart([{ sku: 'A', quantity: 1 }], undefined, 'cart-id-0123456789');
    await api.quoteCart([{ sku: 'A', quantity: 1 }]);
    expect(bodies).toEqual([
      { items: [{ sku: 'A', quantity: 1 }], cartId: 'cart-id-0123456789' },
      { items: [{ sku: 'A', quantity: 1 }] },
    ]);
  });

  it('turns an error answer into an ApiError with its code, details, wait and body', async () => {
    const api = createApiClient({
      baseUrl: '',
      fetch: async () =>
        jsonResponse(
          429,
          {
            error: { code: 'rate_limited', message: 'Too many requests; try again later.' },
            requestId: 'r1',
          },
          { 'Retry-After': '42' },
        ),
    });
    const err = await api.quoteCart([{ sku: 'A', quantity: 1 }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ kind: 'http', status: 429, code: 'rate_limited', retryAfterSeconds: 42 });
    expect((err as ApiError).body?.requestId).toBe('r1');
  });

  it('reports no answer as a network failure, and a non-API answer as an invalid response', async () => {
    const offline = createApiClient({
      baseUrl: '',
      fetch: async () => {
        throw new TypeError('Failed to fetch');
      },
    });
    await expect(offline.getCatalog()).rejects.toMatchObject({ kind: 'network', status: null });

    const proxyPage = createApiClient({
      baseUrl: '',
      fetch: async () => new Response('<html>Bad gateway</html>', { status: 502 }),
    });
    await expect(proxyPage.getCatalog()).rejects.toMatchObject({ kind: 'invalid_response', status: 502 });

    const strangeJson = createApiClient({
      baseUrl: '',
      fetch: async () => jsonResponse(500, { oops: true }),
    });
    await expect(strangeJson.getCatalog()).rejects.toMatchObject({ kind: 'invalid_response', status: 500 });
  });

  it('passes an aborted quote request through as an abort, not a network failure', async () => {
    const api = createApiClient({
      baseUrl: '',
      fetch: async () => {
        throw new DOMException('The operation was aborted.', 'AbortError');
      },
    });
    await expect(api.quoteCart([{ sku: 'A', quantity: 1 }])).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('reads Retry-After as seconds or a date, and falls back to the detail when the header is hidden', () => {
    const now = Date.parse('2026-11-26T12:00:00Z');
    expect(retryAfterOf('120', undefined, now)).toBe(120);
    expect(retryAfterOf('Thu, 26 Nov 2026 12:01:30 GMT', undefined, now)).toBe(90);
    expect(retryAfterOf(null, [{ message: 'Retry after 17 seconds.' }], now)).toBe(17);
    expect(retryAfterOf(null, [], now)).toBeNull();
  });
});

describe('storefront messages', () => {
  const apiError = (
    status: number,
    code: string,
    extra: Partial<{ retry: number; details: unknown[] }> = {},
  ) =>
    new ApiError('http', 'x', status, code, extra.retry ?? null, {
      error: { code, message: 'x', ...(extra.details ? { details: extra.details as never } : {}) },
    });

  it('says how long to wait when rate limited', () => {
    expect(describeFailure(apiError(429, 'rate_limited', { retry: 30 }), 'checkout')).toContain(
      'in 30 seconds',
    );
    expect(describeFailure(apiError(429, 'rate_limited', { retry: 600 }), 'quote')).toContain(
      'in 10 minutes',
    );
    expect(describeFailure(apiError(429, 'rate_limited'), 'quote')).toContain('in a little while');
  });

  it('promises nothing was charged when checkout could not start', () => {
    expect(describeFailure(apiError(502, 'payment_provider_error'), 'checkout')).toContain(
      'Nothing was charged',
    );
    expect(describeFailure(new ApiError('network', 'x'), 'checkout')).toContain('nothing was charged');
    expect(describeFailure(apiError(500, 'internal_error'), 'checkout')).toContain('Nothing was charged');
  });

  it('never says nothing was charged where the customer may have paid (the success page)', () => {
    for (const err of [
      apiError(502, 'payment_provider_error'),
      apiError(500, 'internal_error'),
      apiError(503, 'processing_timeout'),
    ]) {
      const text = describeFailure(err, 'status');
      expect(text.toLowerCase()).not.toContain('nothing was charged');
      expect(text).toContain('If you paid, your order is safe');
    }
  });

  it('tells a cart paid in another tab from a checkout starting in one', () => {
    expect(describeFailure(apiError(409, 'cart_already_paid'), 'checkout')).toContain('already paid');
    expect(describeFailure(apiError(409, 'checkout_in_progress'), 'checkout')).toContain('another tab');
  });

  it('says a firewall block is not the customer’s connection, and that nothing was charged', () => {
    const blocked = describeFailure(apiError(403, 'request_blocked'), 'checkout');
    expect(blocked).toContain('firewall');
    expect(blocked).toContain('nothing was charged');
    expect(describeFailure(apiError(403, 'request_blocked'), 'quote')).not.toContain('connection');
  });

  it('points at the email field only when the email was the problem', () => {
    expect(
      describeFailure(
        apiError(400, 'validation_error', { details: [{ path: 'email', message: 'm' }] }),
        'checkout',
      ),
    ).toContain('valid email');
    expect(
      describeFailure(
        apiError(400, 'validation_error', { details: [{ path: 'items', message: 'm' }] }),
        'checkout',
      ),
    ).not.toContain('email');
  });

  it('announces a price change only when the amount to pay changed', () => {
    expect(
      describePriceChange({ total: 6120, currency: 'usd' }, { total: 6120, currency: 'usd' }),
    ).toBeNull();
    const text = describePriceChange({ total: 6120, currency: 'usd' }, { total: 6400, currency: 'usd' });
    expect(text).toContain(formatMoney(6400, 'usd'));
    expect(text).toContain(formatMoney(6120, 'usd'));
  });

  it('formats integer cents as currency', () => {
    expect(formatMoney(10880, 'usd')).toBe('$108.80');
    expect(formatMoney(5, 'usd')).toBe('$0.05');
  });
});

describe('storefront pending checkout', () => {
  const quote = { lines: [], appliedBundles: [], subtotal: 100, discount: 0, total: 100, currency: 'usd' };

  it('is found again only for its own session', () => {
    const store = memoryStore();
    savePendingCheckout(store, { sessionId: 'cs_test_a', quote });
    expect(loadPendingCheckout(store, 'cs_test_a')?.quote.total).toBe(100);
    expect(loadPendingCheckout(store, 'cs_test_b')).toBeNull();
    clearPendingCheckout(store);
    expect(loadPendingCheckout(store, 'cs_test_a')).toBeNull();
  });
});
