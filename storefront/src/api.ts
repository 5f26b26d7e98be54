import type {
  CartItem,
  CheckoutSessionResponse,
  ErrorBody,
  ErrorDetail,
  PublicCatalog,
  QuoteResponse,
  SessionStatusResponse,
} from './api-types';

/**
 * Why a call failed: `http` (the API answered with an error of its contract), `network` (no answer:
 * offline, DNS, or a browser that withheld a cross-origin answer — the page cannot tell which) or
 * `invalid_response` (an answer that is not the API's JSON, e.g. a proxy's error page).
 */
export type ApiFailureKind = 'http' | 'network' | 'invalid_response';

/** A failed API call, with the error contract's stable `code` when the API answered. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly kind: ApiFailureKind,
    message: string,
    readonly status: number | null = null,
    readonly code: string | null = null,
    /** Seconds to wait before retrying (429 `Retry-After`), when the API said so. */
    readonly retryAfterSeconds: number | null = null,
    /** The whole error body, for codes that carry more (`quote_outdated` carries the new quote). */
    readonly body: (ErrorBody & Record<string, unknown>) | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  get details(): readonly ErrorDetail[] {
    return this.body?.error.details ?? [];
  }
}

export interface ApiClient {
  getCatalog(): Promise<PublicCatalog>;
  /** `cartId`: the cart's own open checkout holds units the quote counts as this cart's. */
  quoteCart(items: readonly CartItem[], signal?: AbortSignal, cartId?: string): Promise<QuoteResponse>;
  createCheckoutSession(input: {
    readonly items: readonly CartItem[];
    readonly quoteSignature: string;
    readonly email?: string;
    /** This browser's cart: the API keeps one open checkout per cart, so two tabs pay once. */
    readonly cartId?: string;
    /** The honeypot: only a bot fills it. */
    readonly website?: string;
  }): Promise<{ readonly created: boolean; readonly session: CheckoutSessionResponse }>;
  sessionStatus(sessionId: string): Promise<SessionStatusResponse>;
}

/** The part of `fetch` the client uses, so tests can pass their own. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/**
 * The storefront's API client. It calls the API the way any storefront on another origin must:
 * absolute URLs under `baseUrl` (empty = this page's origin), JSON bodies, CORS mode, no cookies —
 * the API keeps no browser state; the signed quote and the cart id are what is carried between calls.
 */
export function createApiClient(options: {
  readonly baseUrl: string;
  readonly fetch?: FetchLike;
}): ApiClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  const doFetch: FetchLike = options.fetch ?? ((url, init) => fetch(url, init));

  async function call<T>(path: string, init: RequestInit): Promise<{ status: number; body: T }> {
    let res: Response;
    try {
      res = await doFetch(`${base}${path}`, { ...init, mode: 'cors', credentials: 'omit' });
    } catch (err: unknown) {
      if (err instanceof DOMException && err.name === 'AbortError') throw err;
      throw new ApiError('network', 'The shop could not be reached.', null, null, null, null, { cause: err });
    }
    let body: unknown;
    try {
      body = await res.json();
    } catch (err: unknown) {
      throw new ApiError(
        'invalid_response',
        `Unexpected answer (HTTP ${res.status}).`,
        res.status,
        null,
        null,
        null,
        {
          cause: err,
        },
      );
    }
    if (res.ok) return { status: res.status, body: body as T };
    if (!isErrorBody(body)) {
      throw new ApiError('invalid_response', `Unexpected answer (HTTP ${res.status}).`, res.status);
    }
    throw new ApiError(
      'http',
      body.error.message,
      res.status,
      body.error.code,
      retryAfterOf(res.headers.get('Retry-After'), body.error.details),
      body as ErrorBody & Record<string, unknown>,
    );
  }

  const postJson = (body: unknown, signal?: AbortSignal): RequestInit => ({
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });

  return {
    async getCatalog() {
      // Stock changes with every sale: the browser asks each time whether its copy is current (the
      // API's ETag makes that a 304 when nothing changed), so a reload shows what is left now.
      const init: RequestInit = { headers: { Accept: 'application/json' }, cache: 'no-cache' };
      return (await call<PublicCatalog>('/catalog', init)).body;
    },
    async quoteCart(items, signal, cartId) {
      const body = { items, ...(cartId ? { cartId } : {}) };
      return (await call<QuoteResponse>('/cart/quote', postJson(body, signal))).body;
    },
    async createCheckoutSession(input) {
      const { status, body } = await call<CheckoutSessionResponse>(
        '/checkout/create-session',
        postJson({
          items: input.items,
          quoteSignature: input.quoteSignature,
          ...(input.email ? { email: input.email } : {}),
          ...(input.cartId ? { cartId: input.cartId } : {}),
          ...(input.website ? { website: input.website } : {}),
        }),
      );
      return { created: status === 201, session: body };
    },
    async sessionStatus(sessionId) {
      const query = new URLSearchParams({ session_id: sessionId });
      return (
        await call<SessionStatusResponse>(`/checkout/session-status?${query}`, {
          headers: { Accept: 'application/json' },
        })
      ).body;
    },
  };
}

function isErrorBody(body: unknown): body is ErrorBody {
  if (typeof body !== 'object' || body === null || !('error' in body)) return false;
  const error: unknown = body.error;
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    typeof error.code === 'string' &&
    'message' in error &&
    typeof error.message === 'string'
  );
}

/**
 * Seconds from `Retry-After` (delta-seconds or an HTTP date). A cross-origin page only sees the header
 * if the API exposes it; otherwise the 429's detail ("Retry after N seconds.") says the same.
 */
export function retryAfterOf(
  header: string | null,
  details: readonly ErrorDetail[] | undefined,
  now: number = Date.now(),
): number | null {
  if (header) {
    const trimmed = header.trim();
    if (/^\d+$/.test(trimmed)) return Number(trimmed);
    const at = Date.parse(trimmed);
    if (!Number.isNaN(at)) return Math.max(0, Math.ceil((at - now) / 1000));
  }
  for (const detail of details ?? []) {
    const match = /(\d+)\s*seconds?/i.exec(detail.message);
    if (match?.[1]) return Number(match[1]);
  }
  return null;
}
