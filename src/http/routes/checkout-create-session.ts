import * as v from 'valibot';
import { type CreateCheckoutDeps, createCheckout } from '../../app/create-checkout';
import { parseRequestBody, readJsonBody } from '../request';
import { type ApiHandler, createRoute } from '../route';
import {
  CartIdSchema,
  CartItemsSchema,
  cartRequestFields,
  HoneypotSchema,
  rejectHoneypot,
} from './cart-quote';

const EmailSchema = v.pipe(
  v.string('email must be a string'),
  v.trim(),
  v.maxLength(254, 'email is too long'),
  // No control or format characters (NUL, bidi overrides): they are never part of an address.
  v.regex(
    /^[^\s@\p{Cc}\p{Cf}]+@[^\s@\p{Cc}\p{Cf}]+\.[^\s@\p{Cc}\p{Cf}]+$/u,
    'email must be an email address',
  ),
);

const CHECKOUT_FIELDS = cartRequestFields(['items', 'quoteSignature', 'email', 'cartId']);

const CheckoutRequestSchema = v.strictObject(
  {
    items: CartItemsSchema,
    quoteSignature: v.pipe(
      v.string('quoteSignature must be a string'),
      v.minLength(1, 'quoteSignature is required'),
      v.maxLength(400, 'quoteSignature is too long'),
    ),
    email: v.optional(EmailSchema),
    cartId: v.optional(CartIdSchema),
    website: HoneypotSchema,
  },
  'the body must be a JSON object with items and quoteSignature',
);

export interface CheckoutRouteDeps extends CreateCheckoutDeps {
  readonly allowedOrigins: ReadonlySet<string>;
  readonly clientKeyOf: (ip: string) => string;
}

/** `POST /checkout/create-session`: signed quote → Stripe Checkout Session URL. */
export function createCheckoutSessionRoute(deps: CheckoutRouteDeps): ApiHandler {
  return createRoute({
    name: 'checkout-create-session',
    methods: ['POST'],
    allowedOrigins: deps.allowedOrigins,
    telemetry: deps.telemetry,
    now: deps.now,
    async handle({ event, clientIp, receivedAt }) {
      const body = parseRequestBody(CheckoutRequestSchema, readJsonBody(event), CHECKOUT_FIELDS);
      rejectHoneypot(body.website, deps.telemetry);
      const result = await createCheckout(deps, {
        items: body.items,
        quoteSignature: body.quoteSignature,
        email: body.email,
        cartId: body.cartId,
        clientKey: deps.clientKeyOf(clientIp),
        receivedAt,
      });
      return {
        statusCode: result.reused ? 200 : 201,
        body: {
          checkoutUrl: result.checkoutUrl,
          sessionId: result.sessionId,
          quoteSignature: result.quoteSignature,
        },
      };
    },
  });
}
