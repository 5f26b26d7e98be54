/** Codes of the error contract (docs/architecture.md, docs/api.md). Clients may switch on them; they never change meaning. */
export type ErrorCode =
  | 'invalid_json'
  | 'validation_error'
  | 'origin_not_allowed'
  | 'not_found'
  | 'method_not_allowed'
  | 'quote_outdated'
  | 'quote_already_paid'
  | 'cart_already_paid'
  | 'checkout_in_progress'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'unknown_sku'
  | 'variant_required'
  | 'out_of_stock'
  | 'inactive_sku'
  | 'quantity_out_of_range'
  | 'quote_mismatch'
  | 'honeypot'
  | 'rate_limited'
  | 'internal_error'
  | 'payment_provider_error'
  | 'invalid_signature'
  | 'event_in_progress'
  | 'processing_timeout';

/** One problem with a request, for `error.details`. */
export interface ErrorDetail {
  readonly path?: string;
  readonly sku?: string;
  readonly message: string;
  readonly maxQuantity?: number;
  /** With `out_of_stock`: the units of the SKU a checkout may still take. */
  readonly available?: number;
}

/**
 * An error that maps to one HTTP response of the error contract:
 * `{ error: { code, message, details? }, requestId, ...extra }`.
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
    readonly options: {
      readonly details?: readonly ErrorDetail[];
      /** Extra top-level fields of the body (e.g. the new quote of `quote_outdated`). */
      readonly extra?: Readonly<Record<string, unknown>>;
      readonly headers?: Readonly<Record<string, string>>;
      readonly cause?: unknown;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
  }

  /** The response body, given the request id to quote. */
  toBody(requestId: string): Record<string, unknown> {
    const error: Record<string, unknown> = { code: this.code, message: this.message };
    if (this.options.details && this.options.details.length > 0) error.details = this.options.details;
    return { error, ...this.options.extra, requestId };
  }
}

/** Constructors for the errors every route shares, so their wording is the same everywhere. */
export const httpErrors = {
  invalidJson: () => new HttpError(400, 'invalid_json', 'The request body is not valid JSON.'),
  validation: (details: readonly ErrorDetail[]) =>
    new HttpError(400, 'validation_error', 'The request does not match the expected shape.', { details }),
  originNotAllowed: () =>
    new HttpError(403, 'origin_not_allowed', 'This origin is not allowed to call the API.'),
  notFound: () => new HttpError(404, 'not_found', 'No such route.'),
  methodNotAllowed: (allowed: readonly string[]) =>
    new HttpError(405, 'method_not_allowed', `Use ${allowed.join(' or ')}.`, {
      headers: { Allow: allowed.join(', ') },
    }),
  payloadTooLarge: (maxBytes: number) =>
    new HttpError(413, 'payload_too_large', `The request body must be at most ${maxBytes} bytes.`),
  unsupportedMediaType: () =>
    new HttpError(415, 'unsupported_media_type', 'Send the request body as application/json.'),
  honeypot: () => new HttpError(422, 'honeypot', 'The request was rejected.'),
  rateLimited: (retryAfterSeconds: number) =>
    new HttpError(429, 'rate_limited', 'Too many requests; try again later.', {
      headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
      details: [{ message: `Retry after ${Math.max(1, Math.ceil(retryAfterSeconds))} seconds.` }],
    }),
  internal: (cause?: unknown) =>
    new HttpError(500, 'internal_error', 'Something went wrong on our side; please try again.', { cause }),
} as const;
