/** The `type` values of Stripe's error body that the emulator produces. */
export type StripeErrorType = 'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error';

/** The body Stripe sends with every error: `{ error: { type, code?, param?, message, doc_url? } }`. */
export interface StripeErrorBody {
  error: {
    type: StripeErrorType;
    code?: string;
    param?: string;
    message: string;
    doc_url?: string;
  };
}

interface StripeApiErrorOptions {
  statusCode?: number;
  type?: StripeErrorType;
  code?: string;
  param?: string;
  /**
   * Whether an idempotency key should remember this error. Stripe stores the result only once the
   * endpoint began executing: parameter validation errors are not stored, so a corrected retry
   * with the same key is not answered with the old error.
   */
  storeIdempotent?: boolean;
}

/**
 * An error answered to an API client in Stripe's shape. Thrown anywhere inside an API handler;
 * the HTTP layer turns it into the response, so handlers never write error literals.
 */
export class StripeApiError extends Error {
  override readonly name = 'StripeApiError';
  readonly statusCode: number;
  readonly type: StripeErrorType;
  readonly code: string | undefined;
  readonly param: string | undefined;
  readonly storeIdempotent: boolean;

  constructor(message: string, options: StripeApiErrorOptions = {}) {
    super(message);
    this.statusCode = options.statusCode ?? 400;
    this.type = options.type ?? 'invalid_request_error';
    this.code = options.code;
    this.param = options.param;
    this.storeIdempotent = options.storeIdempotent ?? true;
  }

  toJSON(): StripeErrorBody {
    return stripeErrorBody({ type: this.type, code: this.code, param: this.param, message: this.message });
  }
}

/** Builds Stripe's error body, leaving out absent fields like Stripe does. */
export function stripeErrorBody(fields: {
  type: StripeErrorType;
  code?: string | undefined;
  param?: string | undefined;
  message: string;
}): StripeErrorBody {
  const error: StripeErrorBody['error'] = { type: fields.type, message: fields.message };
  if (fields.code) {
    error.code = fields.code;
    error.doc_url = `https://stripe.com/docs/error-codes/${fields.code.replaceAll('_', '-')}`;
  }
  if (fields.param) error.param = fields.param;
  return { error };
}

/** A request parameter failed validation (never stored under an idempotency key). */
export function invalidParam(message: string, param: string, code?: string): StripeApiError {
  return new StripeApiError(message, { param, code, storeIdempotent: false });
}

/** `No such <kind>: '<id>'` — 404 when the URL names it, 400 when a parameter refers to it. */
export function resourceMissing(kind: string, id: string, param?: string): StripeApiError {
  return new StripeApiError(`No such ${kind}: '${id}'`, {
    statusCode: param ? 400 : 404,
    code: 'resource_missing',
    param,
  });
}

/** Codes of {@link EmulatorError}: misuse of the emulator's own control surface. */
export type EmulatorErrorCode =
  | 'session_not_found'
  | 'session_not_open'
  | 'session_expired'
  | 'coupon_not_redeemable'
  | 'no_async_payment_pending'
  | 'event_not_found'
  | 'refund_not_found'
  | 'refund_not_failable'
  | 'payment_not_found'
  | 'dispute_not_found'
  | 'dispute_closed'
  | 'invalid_fault'
  | 'invalid_request';

/**
 * A control-surface call (method or `/_emulator/…` endpoint) that cannot be done, e.g. paying a
 * session that is no longer open. Tests match on `code`.
 */
export class EmulatorError extends Error {
  override readonly name = 'EmulatorError';
  constructor(
    readonly code: EmulatorErrorCode,
    message: string,
    readonly statusCode = 409,
  ) {
    super(message);
  }

  toJSON(): { error: { code: EmulatorErrorCode; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}
