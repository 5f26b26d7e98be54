/**
 * The emulated Stripe account: every resource the API serves and the session life cycle, wired
 * to one clock and one id generator. No HTTP here — the API handler maps requests onto these
 * resources through each module's routes, and the control surface (pay page, `/_emulator/…`,
 * test methods) drives the life cycle.
 */
import { AccountResources } from './account';
import type { ApiResources, RequestInfo } from './api-route';
import { ChargeStore } from './charges';
import { CheckoutSessions } from './checkout-sessions';
import { CouponStore } from './coupons';
import { DisputeStore } from './disputes';
import type { IdKind } from './ids';
import { type EventPayload, type EventType, stripeSeconds } from './objects';
import { PriceStore, type SeedPrice, type SeedProduct } from './prices';
import { RefundStore } from './refunds';
import { SessionLifecycle } from './session-lifecycle';
import { ShippingRates } from './shipping-rates';

export interface EmulatorCoreOptions {
  /** Milliseconds since the epoch, like `Date.now`. Stripe's timestamps are derived in seconds. */
  now: () => number;
  newId: (kind: IdKind) => string;
  /** The hosted page's address for a session. */
  payUrl: (sessionId: string) => string;
  prices: readonly SeedPrice[];
  products: readonly SeedProduct[];
  /** Called for every event, with a snapshot of its object at that moment. */
  emit: (type: EventType, object: EventPayload, request: RequestInfo) => void;
}

/** The account's resources, shared by the API routes, the control surface and persistence. */
export class EmulatorCore implements ApiResources {
  readonly coupons: CouponStore;
  readonly prices: PriceStore;
  readonly shippingRates: ShippingRates;
  readonly checkoutSessions: CheckoutSessions;
  readonly sessionLifecycle: SessionLifecycle;
  /** Webhook endpoints and the balance (`account.ts`). */
  readonly account: AccountResources;
  /** PaymentIntents and charges of paid sessions, their refunds and disputes. */
  readonly charges: ChargeStore;
  readonly refunds: RefundStore;
  readonly disputes: DisputeStore;

  constructor(private readonly options: EmulatorCoreOptions) {
    const { now, newId } = options;
    this.coupons = new CouponStore({ now, newId });
    this.prices = new PriceStore({ newId, seeds: options.prices, productSeeds: options.products });
    this.shippingRates = new ShippingRates(newId);
    this.checkoutSessions = new CheckoutSessions({
      now,
      newId,
      payUrl: options.payUrl,
      coupons: this.coupons,
      prices: this.prices,
      shippingRates: this.shippingRates,
    });
    this.charges = new ChargeStore(() => newId('charge'));
    this.disputes = new DisputeStore({ now, newId, charges: this.charges, emit: options.emit });
    this.refunds = new RefundStore({
      now,
      newId,
      charges: this.charges,
      isChargedBack: (chargeId) => this.disputes.isChargedBack(chargeId),
      emit: options.emit,
    });
    this.sessionLifecycle = new SessionLifecycle({
      now,
      newId,
      sessions: this.checkoutSessions,
      coupons: this.coupons,
      charges: this.charges,
      emit: options.emit,
    });
    this.account = new AccountResources({ now, newId });
    this.prices.seed(this.nowSeconds());
  }

  /** Current time in Stripe's unit (epoch seconds). */
  nowSeconds(): number {
    return stripeSeconds(this.options.now());
  }

  /** Forgets everything except the seeded prices and products. */
  reset(): void {
    this.coupons.reset();
    this.checkoutSessions.reset();
    this.shippingRates.reset();
    this.account.reset();
    this.charges.reset();
    this.refunds.reset();
    this.disputes.reset();
    this.prices.reset(this.nowSeconds());
  }
}
