/**
 * The project's Stripe emulator: a stateful HTTP server speaking the subset of Stripe's API this
 * project uses, so the official SDK runs the production code path against it. See
 * docs/stripe-emulator.md.
 */

export type { PaymentIntentRecord } from './charges';
export type { AsyncPaymentState } from './checkout-sessions';
export { discountOf } from './coupons';
export type { OpenDisputeOptions } from './disputes';
export type {
  CouponSnapshot,
  EmulatorSnapshot,
  RequestLogEntry,
  SessionSnapshot,
  StripeEmulator,
  StripeEmulatorOptions,
} from './emulator-types';
export { EmulatorError, type EmulatorErrorCode, StripeApiError, type StripeErrorBody } from './errors';
export type { FaultSpec, FaultState } from './faults';
export { createSeededRandom, type RandomSource } from './ids';
export type {
  ChargeObject,
  CouponObject,
  DisputeObject,
  EventObject,
  EventType,
  LineItemObject,
  MoneyEventType,
  PriceObject,
  RefundObject,
  SessionEventType,
  SessionObject,
} from './objects';
export type { SeedPrice, SeedProduct, SeedProductPrice } from './prices';
export { pricesFromCatalogProducts } from './seed';
export { startStripeEmulator } from './server';
export { type CompleteSessionOptions, PLACEHOLDER_EMAIL } from './session-lifecycle';
export { StateFileError, type StateFileErrorCode } from './state-file';
export type { Delivery, DeliveryAttempt, DeliveryOptions, EventRecord } from './webhooks';
