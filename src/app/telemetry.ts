/** Names of the application's own metrics (EMF, namespace `CartCheckout`). Alarms refer to them. */
export type MetricName =
  | 'QuoteIssued'
  | 'QuoteCacheHit'
  | 'RateLimited'
  | 'RateLimiterError'
  | 'HoneypotTriggered'
  | 'CouponFallback'
  | 'CheckoutSessionCreated'
  | 'CheckoutSessionReused'
  | 'CheckoutSessionReplaced'
  | 'OrderAmountMismatch'
  | 'NotificationFailed'
  | 'WebhookFailed'
  | 'WebhookSignatureInvalid'
  | 'OrderFulfilled'
  | 'CodeApplied'
  | 'CodeMiss'
  | 'CodeGuessesLimited'
  | 'CheckoutCodeUnavailable'
  | 'PaymentDisputed'
  | 'StockHeld'
  | 'StockReleased'
  | 'StockSold'
  | 'StockSweptHold'
  | 'CheckoutOutOfStock'
  | 'OrderStockShort';

/** Structured logging, narrowed to what the application uses (`src/adapters/json-telemetry.ts`). */
export interface Log {
  debug(message: string, ...extra: Record<string, unknown>[]): void;
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
  /** Adds keys to every following line (e.g. the request id) until removed. */
  appendKeys(keys: Record<string, unknown>): void;
  removeKeys(keys: string[]): void;
}

/** Counts of application events, published once per request. */
export interface MetricsSink {
  count(name: MetricName, value?: number): void;
  /** Publishes what was counted during this request. */
  flush(): void;
}

/** Logging and metrics, handed to every use case. */
export interface Telemetry {
  readonly log: Log;
  readonly metrics: MetricsSink;
}

/** An error for a log line: name, message, code and stack, never the request that caused it. */
export function describeError(err: unknown): Record<string, unknown> {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return {
      name: err.name,
      message: err.message,
      ...(typeof code === 'string' ? { code } : {}),
      stack: err.stack,
    };
  }
  return { message: String(err) };
}
