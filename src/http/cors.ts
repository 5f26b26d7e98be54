import type { APIGatewayProxyEvent } from 'aws-lambda';
import { headerOf } from './request';

const PREFLIGHT_MAX_AGE_SECONDS = 600;

/**
 * CORS for an exact-match allowlist: an allowed origin gets `Access-Control-Allow-Origin` naming it;
 * any other origin gets no CORS headers at all, so a browser withholds the response from its page.
 * `Vary: Origin` always, so a cache never serves one origin's answer to another.
 */
export function corsHeaders(
  origin: string | undefined,
  allowedOrigins: ReadonlySet<string>,
): Record<string, string> {
  if (origin === undefined || !allowedOrigins.has(origin)) return { Vary: 'Origin' };
  // A cross-origin page reads only safelisted headers unless told; a 429's wait is in Retry-After.
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Expose-Headers': 'Retry-After',
    Vary: 'Origin',
  };
}

/** Headers of a preflight answer for `methods`, or only `Vary` for an origin not on the list. */
export function preflightHeaders(
  event: APIGatewayProxyEvent,
  allowedOrigins: ReadonlySet<string>,
  methods: readonly string[],
): Record<string, string> {
  const origin = headerOf(event, 'origin');
  const headers = corsHeaders(origin, allowedOrigins);
  if (!headers['Access-Control-Allow-Origin']) return headers;
  return {
    ...headers,
    'Access-Control-Allow-Methods': [...methods, 'OPTIONS'].join(', '),
    'Access-Control-Allow-Headers': 'Content-Type',
    'Access-Control-Max-Age': String(PREFLIGHT_MAX_AGE_SECONDS),
  };
}
