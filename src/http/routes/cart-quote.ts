import * as v from 'valibot';
import { type QuoteCartDeps, quoteCart } from '../../app/quote-cart';
import type { Telemetry } from '../../app/telemetry';
import { SKU_PATTERN } from '../../domain/catalog';
import { httpErrors } from '../http-error';
import { quoteBody } from '../quote-body';
import { parseRequestBody, readJsonBody } from '../request';
import { type ApiHandler, createRoute } from '../route';

/** Lines a cart may have before merging repeated SKUs. */
export const MAX_CART_LINES = 50;

const CartItemSchema = v.strictObject(
  {
    sku: v.pipe(v.string('sku must be a string'), v.regex(SKU_PATTERN, 'sku must be an upper-case SKU')),
    // Range is the catalog's business (422 quantity_out_of_range); here only the type.
    quantity: v.pipe(v.number('quantity must be a number'), v.integer('quantity must be a whole number')),
  },
  'each item must be an object with sku and quantity',
);

export const CartItemsSchema = v.pipe(
  v.array(CartItemSchema, 'items must be an array'),
  v.minLength(1, 'items must not be empty'),
  v.maxLength(MAX_CART_LINES, `items may have at most ${MAX_CART_LINES} lines`),
);

/** The storefront's id of the shopper's cart (quote and checkout): one open session per cart. */
export const CartIdSchema = v.pipe(
  v.string('cartId must be a string'),
  v.regex(/^[A-Za-z0-9_-]{16,64}$/, 'cartId must be 16–64 characters of A–Z, a–z, 0–9, _ or -'),
);

/** The honeypot: a field people never see and bots fill in. */
export const HoneypotSchema = v.optional(v.string('website must be a string'));

/** Refuses (422 `honeypot`, counted) a request whose honeypot field is filled in; writes nothing. */
export function rejectHoneypot(website: string | undefined, telemetry: Telemetry): void {
  if (!website) return;
  telemetry.metrics.count('HoneypotTriggered');
  telemetry.log.warn('honeypot field filled; request dropped');
  throw httpErrors.honeypot();
}

const QuoteRequestSchema = v.strictObject(
  { items: CartItemsSchema, cartId: v.optional(CartIdSchema), website: HoneypotSchema },
  'the body must be a JSON object with items',
);

/**
 * The fields each part of a cart request may have, for messages naming an unknown one (the honeypot
 * is left unsaid). Keyed by the parent's path: `''` is the body, `items[]` each item.
 */
export function cartRequestFields(bodyFields: readonly string[]): Record<string, readonly string[]> {
  return { '': bodyFields, 'items[]': Object.keys(CartItemSchema.entries) };
}
const QUOTE_FIELDS = cartRequestFields(['items', 'cartId']);

export interface CartQuoteRouteDeps extends QuoteCartDeps {
  readonly allowedOrigins: ReadonlySet<string>;
  readonly clientKeyOf: (ip: string) => string;
  readonly now?: () => number;
}

/** `POST /cart/quote`: validate → honeypot → price (cached) → signed quote. */
export function createCartQuoteRoute(deps: CartQuoteRouteDeps): ApiHandler {
  return createRoute({
    name: 'cart-quote',
    methods: ['POST'],
    allowedOrigins: deps.allowedOrigins,
    telemetry: deps.telemetry,
    ...(deps.now ? { now: deps.now } : {}),
    async handle({ event, clientIp, receivedAt }) {
      const body = parseRequestBody(QuoteRequestSchema, readJsonBody(event), QUOTE_FIELDS);
      rejectHoneypot(body.website, deps.telemetry);
      const { quote, cached, availability } = await quoteCart(deps, {
        items: body.items,
        clientKey: deps.clientKeyOf(clientIp),
        cartId: body.cartId,
        now: Math.floor(receivedAt / 1000),
      });
      return {
        statusCode: 200,
        body: quoteBody(quote, availability),
        headers: { 'X-Quote-Cache': cached ? 'hit' : 'miss' },
      };
    },
  });
}
