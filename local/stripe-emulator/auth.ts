/**
 * API-key authentication as Stripe answers it: Bearer (what the SDK sends) or Basic (what
 * `curl -u sk_test_…:` sends); test-mode keys only, so a live key pasted by mistake is refused
 * with a message that says why. Keys are masked in messages and never logged.
 */
import type http from 'node:http';
import { StripeApiError } from './errors';
import { headerValue } from './http-io';

/**
 * The API key of a request, or the 401 error to answer. `acceptedKey` restricts the emulator
 * to one key; without it any `sk_test_…` / `rk_test_…` key is accepted.
 */
export function authenticate(
  req: http.IncomingMessage,
  acceptedKey: string | undefined,
): string | StripeApiError {
  const header = headerValue(req, 'authorization');
  let key: string | null = null;
  if (header?.startsWith('Bearer ')) key = header.slice('Bearer '.length).trim();
  else if (header?.startsWith('Basic ')) {
    key = Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8').split(':')[0] ?? null;
  }
  if (!key) {
    return new StripeApiError(
      "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
      { statusCode: 401 },
    );
  }
  const accepted = acceptedKey ? key === acceptedKey : /^(sk|rk)_test_\w+$/.test(key);
  if (!accepted) {
    const live = /^(sk|rk)_live_/.test(key) ? ' The Stripe emulator accepts test-mode keys only.' : '';
    return new StripeApiError(`Invalid API Key provided: ${maskKey(key)}${live}`, { statusCode: 401 });
  }
  return key;
}

function maskKey(key: string): string {
  const prefix = /^[a-z]{2}_(test|live)_/.exec(key)?.[0] ?? '';
  return `${prefix}${'*'.repeat(4)}${key.slice(-4)}`;
}
