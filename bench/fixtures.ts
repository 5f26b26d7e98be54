import Stripe from 'stripe';
import { type LocalStack, startLocalStack } from '../local/stack';
import type { StripeEmulator } from '../local/stripe-emulator';
import { createDynamoStockStore } from '../src/adapters/dynamodb/stock-store';
import { createTableClient } from '../src/adapters/dynamodb/table-client';
import type { Env } from '../src/config';
import type { CartItem } from '../src/domain/cart';
import { loadBundledCatalog } from '../src/wiring';
import { UNLIMITED_RATE_LIMITS } from '../test/support/env';

/**
 * The local stack on ephemeral ports, in memory, with bench limits and the Stripe emulator's own
 * webhook delivery switched off: benchmarks deliver events themselves, when they mean to.
 */
export async function startBenchStack(env: Env = {}): Promise<LocalStack & { stripe: StripeEmulator }> {
  const stack = await startLocalStack({
    port: 0,
    stripePort: 0,
    dynamoPort: 0,
    dataDir: null,
    env: { NOTIFIER: 'log', ...UNLIMITED_RATE_LIMITS, ...env },
  });
  const stripe = stack.stripe;
  if (!stripe) {
    await stack.close();
    throw new Error('the bench stack needs the Stripe emulator');
  }
  stripe.setWebhookUrl(null);
  // Every tracked size in ample supply: the bench measures holds, never a sold-out answer.
  const catalog = loadBundledCatalog();
  const client = createTableClient({ endpoint: stack.dynamoEndpoint });
  const stock = createDynamoStockStore({ client, tableName: String(stack.env.COMMERCE_TABLE) });
  for (const sellable of catalog.sellables.filter((s) => s.inventory.tracked)) {
    await stock.setOnHand(sellable.sku, 1_000_000, Math.floor(Date.now() / 1000));
  }
  client.close();
  return Object.assign(stack, { stripe });
}

/** SKUs whose quantities spell out a cart number (base 5, quantities 1–5). */
const VARIABLE_SKUS = [
  'STICKER-HEART',
  'CAP-DAD-BLK',
  'TOTE-CANVAS',
  'SOCKS-CREW-WHT',
  'BEANIE-PNK',
  'TEE-LOGO-PNK-M',
] as const;

/** How many distinct carts {@link benchCart} can make. */
export const BENCH_CART_COUNT = 5 ** VARIABLE_SKUS.length;

/**
 * The `n`th of {@link BENCH_CART_COUNT} distinct carts, each with a bundle discount (two classic
 * tees), so checkout creates a coupon as most real carts do.
 */
export function benchCart(n: number): CartItem[] {
  let rest = n % BENCH_CART_COUNT;
  const items: CartItem[] = [{ sku: 'TEE-CLASSIC-BLK-M', quantity: 2 }];
  for (const sku of VARIABLE_SKUS) {
    items.push({ sku, quantity: (rest % 5) + 1 });
    rest = Math.floor(rest / 5);
  }
  return items;
}

/** A signed quote, as the storefront holds it. */
export interface BenchQuote {
  readonly items: readonly CartItem[];
  readonly quoteSignature: string;
}

/**
 * Drives the local stack over HTTP to prepare what a benchmark needs (quotes, open and paid
 * sessions, signed events) without timing any of it.
 */
export class BenchShop {
  private nextCart: number;
  readonly origin: string;

  constructor(
    readonly stack: LocalStack & { stripe: StripeEmulator },
    firstCart = 0,
  ) {
    this.nextCart = firstCart;
    this.origin = new URL(stack.url).origin;
  }

  /** The headers a storefront on the allowlisted origin sends. */
  get browserHeaders(): Record<string, string> {
    return { 'Content-Type': 'application/json', Origin: this.origin };
  }

  /** A cart no earlier call of this shop used. */
  freshCart(): CartItem[] {
    const cart = benchCart(this.nextCart);
    this.nextCart += 1;
    return cart;
  }

  async quote(items: readonly CartItem[] = this.freshCart()): Promise<BenchQuote> {
    const body = await this.post('/cart/quote', { items });
    return { items, quoteSignature: String(body.quoteSignature) };
  }

  /** The Checkout Session of a quote; its id. */
  async checkout(quote: BenchQuote): Promise<string> {
    const body = await this.post('/checkout/create-session', {
      items: quote.items,
      quoteSignature: quote.quoteSignature,
      email: 'bench@example.com',
    });
    return String(body.sessionId);
  }

  /** A Checkout Session for a fresh quote; its id. */
  async openSession(): Promise<string> {
    return this.checkout(await this.quote());
  }

  /** Delivers a signed event to the stack's webhook, as Stripe would; fails unless it is taken. */
  async deliver(event: { body: string; headers: Record<string, string> }): Promise<void> {
    const response = await fetch(`${this.stack.url}/stripe/webhook`, {
      method: 'POST',
      headers: event.headers,
      body: event.body,
    });
    if (!response.ok) throw new Error(`webhook answered ${response.status}: ${await response.text()}`);
  }

  /** A session paid at the emulator; its `checkout.session.completed` event is not delivered yet. */
  async paidSession(): Promise<{
    sessionId: string;
    event: { body: string; headers: Record<string, string> };
  }> {
    const sessionId = await this.openSession();
    this.stack.stripe.completeSession(sessionId);
    const record = this.stack.stripe
      .events('checkout.session.completed')
      .find((r) => (r.event.data.object as { id?: string }).id === sessionId);
    if (!record) throw new Error(`no completed event for ${sessionId}`);
    return { sessionId, event: this.signedEvent(record.event) };
  }

  /** A webhook delivery as Stripe sends it: the body and its `Stripe-Signature`, signed now. */
  signedEvent(event: object): { body: string; headers: Record<string, string> } {
    const body = JSON.stringify(event, null, 2);
    const signature = Stripe.webhooks.generateTestHeaderString({
      payload: body,
      secret: String(this.stack.env.STRIPE_WEBHOOK_SECRET),
    });
    return { body, headers: { 'Content-Type': 'application/json', 'Stripe-Signature': signature } };
  }

  private async post(path: string, body: unknown): Promise<Record<string, unknown>> {
    const response = await fetch(`${this.stack.url}${path}`, {
      method: 'POST',
      headers: this.browserHeaders,
      body: JSON.stringify(body),
    });
    const answer = (await response.json()) as Record<string, unknown>;
    if (!response.ok) throw new Error(`${path} answered ${response.status}: ${JSON.stringify(answer)}`);
    return answer;
  }
}
