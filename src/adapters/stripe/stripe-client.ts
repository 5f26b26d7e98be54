import Stripe from 'stripe';

export interface StripeClientOptions {
  readonly secretKey: string;
  /** Where requests go, e.g. the local emulator `http://127.0.0.1:12111`; Stripe itself when unset. */
  readonly apiBase?: string | undefined;
  /** Per-attempt timeout; the SDK's default (80 s) is far beyond what our callers can wait. */
  readonly timeoutMs: number;
  /** Retries of connection errors, 409 and 5xx (the SDK does not retry 429). */
  readonly maxNetworkRetries: number;
}

/**
 * The official Stripe SDK, with deliberate timeouts and retries, optionally pointed at a
 * Stripe-compatible server: the production code path is the same against the emulator.
 */
export function createStripeClient(options: StripeClientOptions): Stripe {
  const base = options.apiBase ? new URL(options.apiBase) : undefined;
  return new Stripe(options.secretKey, {
    maxNetworkRetries: options.maxNetworkRetries,
    timeout: options.timeoutMs,
    telemetry: false,
    appInfo: { name: 'cart-checkout-api' },
    ...(base
      ? {
          host: base.hostname,
          port: base.port || (base.protocol === 'https:' ? '443' : '80'),
          protocol: base.protocol === 'https:' ? 'https' : 'http',
        }
      : {}),
  });
}
