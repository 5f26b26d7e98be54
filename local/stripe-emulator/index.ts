/**
 * The project's Stripe emulator: a stateful HTTP server speaking the subset of Stripe's API this
 * project uses, so the official SDK runs the production code path against it. See
 * docs/stripe-emulator.md.
 */
export type { AsyncPaymentState, CompleteSessionOptions, SeedPrice } from './core';
export { discountOf, PLACEHOLDER_EMAIL } from './core';
export { EmulatorError, type EmulatorErrorCode, StripeApiError, type StripeErrorBody } from './errors';
export type { FaultSpec, FaultState } from './faults';
export { createSeededRandom, type RandomSource } from './ids';
export type {
  CouponObject,
  EventObject,
  LineItemObject,
  PriceObject,
  SessionEventType,
  SessionObject,
} from './objects';
export { pricesFromCatalogProducts } from './seed';
export {
  type CouponSnapshot,
  type EmulatorSnapshot,
  type RequestLogEntry,
  type SessionSnapshot,
  type StripeEmulator,
  type StripeEmulatorOptions,
  startStripeEmulator,
} from './server';
export type { Delivery, DeliveryAttempt, DeliveryOptions, EventRecord } from './webhooks';
