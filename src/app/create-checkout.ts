import { createHash, randomUUID } from 'node:crypto';
import { setTimeout } from 'node:timers/promises';
import type { CheckoutConfig } from '../config';
import { type CartItem, hashCart } from '../domain/cart';
import { validateCart } from '../domain/cart-validation';
import type { Catalog } from '../domain/catalog';
import {
  type CodeOutcome,
  codeEmailKey,
  codeStatusMessage,
  codeUnavailability,
  type StoredCode,
} from '../domain/discount-code';
import { maskEmail } from '../domain/email';
import { priceCart } from '../domain/pricing';
import { applyCode, type CodeLookup } from '../domain/pricing-codes';
import { readQuoteSignature, type SigningKeys, verifyQuoteSignature } from '../domain/quote-signature';
import { DAY_SECONDS } from '../domain/time';
import { allInOrder } from './all-in-order';
import {
  CartAlreadyPaidError,
  CheckoutInProgressError,
  CodeHoldRefusedError,
  CodeNeedsEmailError,
  CodeUnavailableError,
  QuoteAlreadyPaidError,
  QuoteMismatchError,
  QuoteOutdatedError,
} from './checkout-errors';
import { attemptTimeout, createStripeSession } from './checkout-session';
import { checkoutAttemptKey, checkoutSlotId, decideSlot, emailDigestOf } from './checkout-slot';
import {
  type CheckoutGateway,
  type CheckoutSessionView,
  type CheckoutSlot,
  type CodeStore,
  type DiscountMode,
  type HoldCode,
  PaymentProviderError,
  type QuoteStore,
  type RateLimiter,
  type SessionRecord,
  type SessionStore,
  type StockHoldRef,
  type StockStore,
  type StoredQuote,
} from './ports';
import { issueQuote } from './quote-cart';
import { enforceRateLimit } from './rate-limit';
import { holdOf, releaseQuietly, releaseSessionHold, takeHold } from './stock-holds';
import { describeError, type Telemetry } from './telemetry';
import { CHECKOUT_BUDGET_MS, CHECKOUT_STRIPE_ATTEMPT_MS } from './time-budgets';

export {
  CartAlreadyPaidError,
  CheckoutInProgressError,
  CodeNeedsEmailError,
  CodeUnavailableError,
  QuoteAlreadyPaidError,
  QuoteMismatchError,
  QuoteOutdatedError,
};

/** A Checkout Session may last at most 24 h; a minute less leaves room for the request's own time. */
const MAX_SESSION_SPAN_SECONDS = DAY_SECONDS - 60;

export interface CreateCheckoutDeps {
  readonly catalog: Catalog;
  readonly quotes: QuoteStore;
  readonly codes: CodeStore;
  readonly sessions: SessionStore;
  readonly limiter: RateLimiter;
  readonly stock: StockStore;
  readonly gateway: CheckoutGateway;
  readonly signingKeys: SigningKeys;
  readonly quoteTtlSeconds: number;
  readonly checkout: CheckoutConfig;
  readonly telemetry: Telemetry;
  /** Epoch milliseconds; deadlines are measured with it. */
  readonly now: () => number;
}

export interface CreateCheckoutRequest {
  readonly items: readonly CartItem[];
  readonly quoteSignature: string;
  readonly email: string | undefined;
  /**
   * The storefront's id of the shopper's cart: one open session per cart, so a new checkout of the
   * cart (another tab, a changed cart, a re-issued quote) first expires the previous session.
   */
  readonly cartId: string | undefined;
  readonly clientKey: string;
  /** Epoch milliseconds at which the request arrived. */
  readonly receivedAt: number;
}

export interface CreateCheckoutResult {
  readonly checkoutUrl: string;
  readonly sessionId: string;
  /** The signature the session was made for (a fresh one when the presented quote had expired). */
  readonly quoteSignature: string;
  readonly reused: boolean;
}

/** A request replacing a slot's session holds its lease at most this long (the checkout budget and more). */
const SLOT_LEASE_SECONDS = 20;
/** A request that finds the slot being replaced looks again this often, this many times at most. */
const SLOT_WAIT_MS = 150;
const SLOT_WAIT_ROUNDS = 40;

/**
 * Creates (or reuses) the Stripe Checkout Session of a shopper's signed quote. The session lives in
 * a checkout slot — the cart's (by `cartId`) or else the quote's — that holds at most one open
 * session: a request that needs a new one takes the slot's lease, expires the open one at Stripe,
 * and only then creates its own. Every step is idempotent and ordered so that a retry after any
 * failure completes the work without duplicates: Stripe calls carry idempotency keys named after
 * the slot's attempt, and the table records are written after the session exists.
 */
export async function createCheckout(
  deps: CreateCheckoutDeps,
  request: CreateCheckoutRequest,
): Promise<CreateCheckoutResult> {
  const deadline = request.receivedAt + CHECKOUT_BUDGET_MS;
  const now = Math.floor(request.receivedAt / 1000);
  const items = validateCart(deps.catalog, request.items);
  const cartHash = hashCart(items);

  // A forged or mismatched request is refused before anything is written (a quote with a code
  // costs one read of the code first: only an authentic signature can name one).
  const verified = await verifyPresentedQuote(deps, request.quoteSignature, items, cartHash, now);

  // Both rate-limit counts and the slot read are independent: one round trip to the table instead
  // of three. A refused request has then cost one read for nothing. A quote that must be re-issued
  // is written only once the limits have passed.
  const presentedSlotId = checkoutSlotId(request.cartId, request.quoteSignature);
  const readsPresentedSlot = verified.outcome === 'valid' || request.cartId !== undefined;
  const [, , presentedSlot] = await allInOrder([
    enforceRateLimit(deps, {
      scope: 'checkout',
      key: request.clientKey,
      limits: deps.checkout.rateLimits.perClient,
      now,
    }),
    enforceRateLimit(deps, {
      scope: 'checkout-quote',
      key: createHash('sha256').update(request.quoteSignature).digest('base64url').slice(0, 22),
      limits: deps.checkout.rateLimits.perQuote,
      now,
    }),
    readsPresentedSlot ? deps.sessions.getSlot(presentedSlotId) : Promise.resolve(null),
  ]);

  const quote = await settleQuote(deps, verified);
  const codeClaim = holdCodeOf(quote, verified.code, request.email);
  const slotId = checkoutSlotId(request.cartId, quote.quoteSignature);
  let slot =
    readsPresentedSlot && slotId === presentedSlotId ? presentedSlot : await deps.sessions.getSlot(slotId);
  const emailDigest = emailDigestOf(request.email);

  for (let round = 0; ; round += 1) {
    const at = Math.max(now, Math.floor(deps.now() / 1000));
    const decision = decideSlot(slot, { quoteSignature: quote.quoteSignature, emailDigest, now: at });
    switch (decision.kind) {
      case 'reuse':
        deps.telemetry.metrics.count('CheckoutSessionReused');
        return {
          checkoutUrl: decision.session.checkoutUrl,
          sessionId: decision.session.sessionId,
          quoteSignature: quote.quoteSignature,
          reused: true,
        };
      case 'paid':
        throw alreadyPaid(request.cartId, decision.session.sessionId);
      case 'create': {
        const token = randomUUID();
        const claimed = await deps.sessions.claimSlot(slotId, {
          expectedAttempt: slot ? slot.attempt : null,
          token,
          until: at + SLOT_LEASE_SECONDS,
          now: at,
        });
        if (claimed) {
          return await createInSlot(deps, {
            request,
            quote,
            codeClaim,
            slot,
            slotId,
            token,
            emailDigest,
            deadline,
          });
        }
        break;
      }
      case 'busy':
        if (round >= SLOT_WAIT_ROUNDS || deps.now() + SLOT_WAIT_MS > deadline - CHECKOUT_STRIPE_ATTEMPT_MS) {
          throw new CheckoutInProgressError();
        }
        await setTimeout(SLOT_WAIT_MS);
        break;
    }
    if (round >= SLOT_WAIT_ROUNDS) throw new CheckoutInProgressError();
    // A look that fails while waiting learned nothing: the slot is as it was, and the wait goes on
    // (ending, if the table stays unreachable, in 409 `checkout_in_progress`, which the storefront
    // retries), rather than a 500 for a cart that is only busy.
    const previous = slot;
    slot = await deps.sessions.getSlot(slotId).catch((err: unknown) => {
      deps.telemetry.log.warn('checkout slot read failed while waiting; waiting on', {
        error: describeError(err),
      });
      return previous;
    });
  }
}

function alreadyPaid(cartId: string | undefined, sessionId: string): Error {
  return cartId
    ? new CartAlreadyPaidError(sessionId)
    : new QuoteAlreadyPaidError('This quote has already been paid.');
}

/**
 * With the slot's lease held: ends the slot's open session at Stripe, creates the next one, records
 * it and makes it the slot's. Any failure gives the lease back, so a retry (which names the same
 * attempt, and so gets Stripe's same answers) can finish the work.
 */
async function createInSlot(
  deps: CreateCheckoutDeps,
  input: {
    readonly request: CreateCheckoutRequest;
    readonly quote: StoredQuote;
    /** The use of the quote's code the hold claims, if it applied one. */
    readonly codeClaim: HoldCode | null;
    readonly slot: CheckoutSlot | null;
    readonly slotId: string;
    readonly token: string;
    readonly emailDigest: string;
    readonly deadline: number;
  },
): Promise<CreateCheckoutResult> {
  const { telemetry } = deps;
  const { request, quote, slot, slotId, token, deadline } = input;
  const now = Math.floor(request.receivedAt / 1000);
  let hold: StockHoldRef | null = null;
  try {
    const previous = slot?.current;
    if (previous?.status === 'open') await endPreviousSession(deps, input, previous.sessionId);
    const attempt = (slot?.attempt ?? 0) + 1;
    const attemptKey = checkoutAttemptKey({
      slotId,
      quoteSignature: quote.quoteSignature,
      attempt,
      emailDigest: input.emailDigest,
    });
    const sessionExpiresAt = sessionExpiryOf(quote, deps.checkout.sessionTtlSeconds);
    // The units, and the code's use, are held before the session exists, until the session's own
    // end. A retry of this attempt names the same hold and finds it taken.
    const wanted = holdOf(deps.catalog, quote.items, attemptKey, sessionExpiresAt, input.codeClaim);
    if (wanted) {
      await takeHold(deps, wanted, quote.items, { slotId, now });
      hold = wanted;
    }
    const { session, couponId, discountMode } = await createStripeSession(deps, {
      quote,
      attemptKey,
      email: request.email,
      cartId: request.cartId,
      sessionExpiresAt,
      deadline,
    });
    if (!session.url)
      throw new PaymentProviderError('unavailable', 'Stripe returned a session without a URL');

    const record = sessionRecordOf({
      quote,
      session,
      couponId,
      discountMode,
      slotId,
      email: request.email,
      hold,
      now,
    });
    checkChargedItems(deps, record, session);
    await allInOrder([
      deps.sessions.recordSession(record, now),
      hold ? deps.stock.attachSession(hold, session.id) : Promise.resolve(),
    ]);
    const settled = await deps.sessions.settleSlot(
      slotId,
      token,
      {
        sessionId: session.id,
        quoteSignature: quote.quoteSignature,
        emailDigest: input.emailDigest,
        status: 'open',
        checkoutUrl: session.url,
        sessionExpiresAt: session.expiresAt,
        heldUnits: hold ? hold.lines.map(({ sku, quantity }) => ({ sku, quantity })) : [],
        ...(hold?.code ? { heldCode: hold.code.code } : {}),
      },
      attempt,
      now,
    );
    if (!settled) {
      // The lease lapsed and another request took the slot. If that request settled this very
      // session (a retry of the same attempt gets Stripe's same answer) it is the slot's now and
      // stays; otherwise it must not stay payable beside the slot's own.
      const taken = await deps.sessions.getSlot(slotId);
      if (taken?.current?.sessionId === session.id)
        hold = null; // the slot's session keeps its hold
      else {
        await deps.gateway.expireSession(session.id, { timeoutMs: attemptTimeout(deps.now(), deadline) });
      }
      throw new CheckoutInProgressError();
    }

    telemetry.metrics.count('CheckoutSessionCreated');
    telemetry.log.info('order notification: checkout session created', {
      sessionId: session.id,
      amountTotal: record.amountTotal,
      currency: record.currency,
      units: quote.items.reduce((sum, i) => sum + i.quantity, 0),
      discountMode,
      email: record.emailMasked,
      attempt,
    });
    return {
      checkoutUrl: session.url,
      sessionId: session.id,
      quoteSignature: quote.quoteSignature,
      reused: false,
    };
  } catch (err: unknown) {
    // No session was handed out: its units go back (a retry of the attempt holds them again).
    if (hold) await releaseQuietly(deps, hold, now);
    await deps.sessions.releaseSlot(slotId, token).catch((releaseErr: unknown) => {
      telemetry.log.error('could not release the checkout slot', { error: describeError(releaseErr) });
    });
    if (err instanceof CodeHoldRefusedError && input.codeClaim) {
      throw await codeUnavailable(deps, quote, input.codeClaim.code, err.reason, now);
    }
    throw err;
  }
}

/**
 * The code use a checkout's hold claims: the quote's applied code, with this email's count when the
 * code limits uses per email (which needs the email: {@link CodeNeedsEmailError} without one).
 */
function holdCodeOf(quote: StoredQuote, code: StoredCode | null, email: string | undefined): HoldCode | null {
  if (quote.pricedCart.code?.status !== 'applied' || !code) return null;
  if (code.limitPerEmail === null) return { code: code.code, emailKey: null, limitPerEmail: null };
  if (!email) throw new CodeNeedsEmailError(code.code);
  return { code: code.code, emailKey: codeEmailKey(email), limitPerEmail: code.limitPerEmail };
}

/**
 * The 409 of a code whose use the hold could not claim (another checkout took the last one, or it
 * was disabled or ended a moment ago, or this email used it up): why, read now, and the cart
 * priced without it.
 */
async function codeUnavailable(
  deps: CreateCheckoutDeps,
  quote: StoredQuote,
  code: string,
  reason: 'limit' | 'per_email',
  now: number,
): Promise<CodeUnavailableError> {
  let refused: CodeOutcome;
  if (reason === 'per_email') {
    refused = {
      code,
      status: 'limit_reached',
      discount: 0,
      message: 'You have already used this code as many times as it allows.',
    };
  } else {
    const found = await deps.codes.findCode(code, { consistent: true }).catch(() => null);
    const status = codeUnavailability(found, now) ?? 'limit_reached';
    refused = {
      code,
      status,
      discount: 0,
      message: codeStatusMessage(status, found, { currency: quote.pricedCart.currency }),
    };
  }
  const without = issueQuote(deps, quote.items, quote.cartHash, now);
  await saveQuoteQuietly(deps, without);
  deps.telemetry.log.info('checkout refused: the code has no use left for it', {
    status: refused.status,
    reason,
  });
  return new CodeUnavailableError(without, refused);
}

/**
 * With the slot's lease held: expires the slot's open session at Stripe before another is made, and
 * notes how it ended on the slot. Only an expired (or unknown) session lets checkout go on: a paid
 * one, or one awaiting a bank transfer, refuses (never a second payment); one Stripe would not expire
 * for another reason stops checkout, since two open sessions for one cart could both be paid.
 */
async function endPreviousSession(
  deps: CreateCheckoutDeps,
  input: {
    readonly request: CreateCheckoutRequest;
    readonly slotId: string;
    readonly token: string;
    readonly deadline: number;
  },
  sessionId: string,
): Promise<void> {
  const ended = await deps.gateway.expireSession(sessionId, {
    timeoutMs: attemptTimeout(deps.now(), input.deadline),
  });
  if (ended?.status === 'complete') {
    // Paid before the webhook told us: the slot says so now, so the next click costs no Stripe call.
    const status = ended.paymentStatus === 'unpaid' ? 'awaiting_payment' : 'complete';
    await deps.sessions.endSlotSession(input.slotId, input.token, sessionId, status);
    throw alreadyPaid(input.request.cartId, sessionId);
  }
  if (ended !== null && ended.status !== 'expired') {
    throw new PaymentProviderError(
      'unavailable',
      `Stripe did not expire session ${sessionId} (${ended.status})`,
    );
  }
  // The slot no longer offers it, even if this request fails before it makes the next one; its
  // units go back now (its `expired` event, when it comes, finds the hold already released).
  const [record] = await allInOrder([
    deps.sessions.getSession(sessionId),
    deps.sessions.endSlotSession(input.slotId, input.token, sessionId, 'expired'),
  ]);
  if (record) await releaseSessionHold(deps, record, Math.floor(deps.now() / 1000));
  deps.telemetry.metrics.count('CheckoutSessionReplaced');
  deps.telemetry.log.info('open checkout session expired for a new one', { sessionId });
}

/** What the table keeps of a session this request created. */
function sessionRecordOf(input: {
  readonly quote: StoredQuote;
  readonly session: CheckoutSessionView;
  readonly couponId: string | null;
  readonly discountMode: DiscountMode;
  readonly slotId: string;
  readonly email: string | undefined;
  readonly hold: StockHoldRef | null;
  readonly now: number;
}): SessionRecord {
  const { quote, session, discountMode } = input;
  const pricedCart = quote.pricedCart;
  const undiscounted = discountMode === 'none';
  const code = pricedCart.code?.status === 'applied' ? pricedCart.code : null;
  return {
    sessionId: session.id,
    slotId: input.slotId,
    quoteSignature: quote.quoteSignature,
    cartHash: quote.cartHash,
    catalogVersion: pricedCart.catalogVersion,
    status: 'open',
    couponId: input.couponId,
    discountMode,
    code: code?.code ?? null,
    codeDiscount: code && !undiscounted ? code.discount : 0,
    currency: pricedCart.currency,
    amountSubtotal: pricedCart.subtotal,
    amountDiscount: undiscounted ? 0 : pricedCart.discount,
    amountTotal: undiscounted ? pricedCart.subtotal : pricedCart.total,
    lines: pricedCart.lines.map((l) => ({
      sku: l.sku,
      name: l.name,
      quantity: l.quantity,
      unitAmount: l.unitAmount,
      total: undiscounted ? l.subtotal : l.total,
    })),
    emailMasked: input.email ? maskEmail(input.email) : null,
    checkoutUrl: session.url ?? '',
    sessionExpiresAt: session.expiresAt,
    createdAt: input.now,
    hold: input.hold,
  };
}

/** Stripe's items total must be what the record expects to be charged; a difference is logged loudly. */
function checkChargedItems(deps: CreateCheckoutDeps, record: SessionRecord, session: CheckoutSessionView) {
  const chargedItems = (session.amountTotal ?? 0) - session.amountShipping - session.amountTax;
  if (chargedItems !== record.amountTotal) {
    deps.telemetry.log.error('session amount differs from the quote', {
      sessionId: session.id,
      expected: record.amountTotal,
      charged: chargedItems,
      discountMode: record.discountMode,
    });
  }
}

/**
 * When the quote's Checkout Session (and so its coupon) expires: the same for every request that
 * checks out this quote, because Stripe refuses an idempotency key reused with other parameters and
 * two clicks may arrive either side of a second. Counted from the quote's expiry, it is at least the
 * session TTL from now (a quote is only checked out before it expires); capped at just under 24 h
 * after the quote was issued, it stays within Stripe's limit (the quote TTL is bounded to fit).
 */
export function sessionExpiryOf(
  quote: Pick<StoredQuote, 'issuedAt' | 'expiresAt'>,
  sessionTtlSeconds: number,
): number {
  return Math.min(quote.expiresAt + sessionTtlSeconds, quote.issuedAt + MAX_SESSION_SPAN_SECONDS);
}

type VerifiedQuote = {
  /** The code the quote applied, as the table has it now (`null`: none). */
  readonly code: StoredCode | null;
} & (
  | { readonly outcome: 'valid' | 'reissue' | 'outdated'; readonly quote: StoredQuote }
  /** The quote's code no longer applies; `quote` is the cart without it. */
  | { readonly outcome: 'code_unavailable'; readonly quote: StoredQuote; readonly refused: CodeOutcome }
);

/**
 * Verifies the presented signature against a fresh pricing of the presented items, with the code
 * the signature names (read consistently: its dates, its being enabled and its uses are today's).
 * An expired (or merely re-versioned) quote with an unchanged total is re-issued with a fresh
 * signature; a changed total is `outdated`; a code that no longer applies is `code_unavailable`;
 * anything else is {@link QuoteMismatchError}.
 */
async function verifyPresentedQuote(
  deps: CreateCheckoutDeps,
  presented: string,
  items: readonly CartItem[],
  cartHash: string,
  now: number,
): Promise<VerifiedQuote> {
  const read = readQuoteSignature(presented, deps.signingKeys);
  const claimedCode = read.status === 'authentic' ? (read.claims.code ?? '') : '';
  // The code's remaining uses are the hold's to count (the cart's own open session may hold one):
  // here only whether it is still enabled and in its dates, and what it takes off.
  const lookup: CodeLookup | null = claimedCode
    ? {
        code: claimedCode,
        found: await deps.codes.findCode(claimedCode, { consistent: true }),
        now,
        countUses: false,
      }
    : null;
  // Only the amounts are checked; a quote that is re-issued or refused as outdated goes back to the
  // storefront (and the cache), so that one is priced again with its hints.
  // Priced, not signed: the presented signature is the one kept when it holds.
  const bundles = priceCart(deps.catalog, items, { hints: false });
  const pricedCart = lookup ? applyCode(deps.catalog, items, bundles, lookup, { hints: false }) : bundles;
  const codeApplies = pricedCart.code === undefined || pricedCart.code.status === 'applied';
  const withHints = () => issueQuote(deps, items, cartHash, now, codeApplies ? lookup : null);
  const check = verifyQuoteSignature(
    presented,
    {
      cartHash,
      currency: pricedCart.currency,
      total: pricedCart.total,
      catalogVersion: pricedCart.catalogVersion,
      code: claimedCode,
    },
    { keys: deps.signingKeys, now, ttlSeconds: deps.quoteTtlSeconds },
  );
  const code = codeApplies ? (lookup?.found ?? null) : null;
  if (
    !codeApplies &&
    pricedCart.code &&
    (check.status === 'valid' || check.status === 'expired' || check.status === 'outdated')
  ) {
    // Disabled, ended, used up since the quote: the same cart without it, for the shopper to see.
    return { outcome: 'code_unavailable', quote: withHints(), refused: pricedCart.code, code };
  }
  switch (check.status) {
    case 'valid':
      return {
        code,
        outcome: 'valid',
        quote: {
          quoteSignature: presented,
          cartHash,
          items,
          pricedCart,
          issuedAt: check.claims.issuedAt,
          expiresAt: check.claims.issuedAt + deps.quoteTtlSeconds,
        },
      };
    case 'expired':
      return { code, outcome: 'reissue', quote: withHints() };
    case 'outdated':
      return {
        code,
        outcome: check.claims.total === pricedCart.total ? 'reissue' : 'outdated',
        quote: withHints(),
      };
    case 'mismatch':
    case 'malformed':
    case 'unknown_key': {
      deps.telemetry.log.warn('quote signature refused', { reason: check.status });
      // An authentic signature of another cart says the items changed; anything else is no signature of ours.
      const authentic = readQuoteSignature(presented, deps.signingKeys).status === 'authentic';
      throw new QuoteMismatchError(
        authentic
          ? 'The items do not match the signed quote; request a new quote.'
          : 'The quote signature is not valid; request a new quote.',
      );
    }
  }
}

/**
 * Caches a re-issued or new quote; an outdated one is refused with the new quote, and so is one
 * whose code no longer applies (with the cart priced without it).
 */
async function settleQuote(deps: CreateCheckoutDeps, verified: VerifiedQuote): Promise<StoredQuote> {
  if (verified.outcome === 'valid') return verified.quote;
  await saveQuoteQuietly(deps, verified.quote);
  if (verified.outcome === 'outdated') throw new QuoteOutdatedError(verified.quote);
  if (verified.outcome === 'code_unavailable') {
    deps.telemetry.log.info('quote refused: its code no longer applies', { status: verified.refused.status });
    throw new CodeUnavailableError(verified.quote, verified.refused);
  }
  deps.telemetry.log.info('quote re-issued at the same price');
  return verified.quote;
}

/** Caches the quote's pricing: only a pricing without a code, the one every shopper of the cart shares. */
async function saveQuoteQuietly(deps: CreateCheckoutDeps, quote: StoredQuote): Promise<void> {
  if (quote.pricedCart.code !== undefined) return;
  try {
    await deps.quotes.saveQuote(quote);
  } catch (err: unknown) {
    deps.telemetry.log.error('quote cache write failed', { error: describeError(err) });
  }
}
