/**
 * The few ways the emulator answers over HTTP (JSON, HTML, a redirect) and reads a request
 * (a header, a path segment), so every handler sends the same headers: `no-store` everywhere, and
 * a strict Content-Security-Policy on the pay page.
 */
import type http from 'node:http';

/** Sends a JSON body (none for 204), pretty-printed as Stripe does. */
export function sendJson(
  res: http.ServerResponse,
  statusCode: number,
  payload: unknown,
  headers: Record<string, string> = {},
): void {
  const text = statusCode === 204 ? '' : `${JSON.stringify(payload, null, 2)}\n`;
  res.writeHead(statusCode, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}

/** Sends a page; its forms may post to the emulator and redirect to the shop (`form-action`). */
export function sendHtml(res: http.ServerResponse, statusCode: number, html: string): void {
  res.writeHead(statusCode, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(html),
    'Cache-Control': 'no-store',
    'Content-Security-Policy':
      "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' http: https:",
  });
  res.end(html);
}

/** 303 See Other: after a form post the browser loads `location` with GET. */
export function redirect(res: http.ServerResponse, location: string): void {
  res.writeHead(303, { Location: location, 'Content-Length': 0, 'Cache-Control': 'no-store' });
  res.end();
}

/** A request header's first value, or `null`. */
export function headerValue(req: http.IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  if (Array.isArray(value)) return value[0] ?? null;
  return value ?? null;
}

/** Decodes a path segment; a malformed escape is kept as it came (and then matches nothing). */
export function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
