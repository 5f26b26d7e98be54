/**
 * The emulator's HTTP entry point: reads the body (refusing more than 1 MiB, as Stripe bounds
 * requests) and sends each request to the part that owns its path — the v1 API, the control API,
 * the hosted pay page, or the index page. An error no part handled is logged and answered 500 in
 * Stripe's shape, so a bug in the emulator shows up as an API error rather than a hung client.
 */
import type http from 'node:http';
import { readBody } from '../listen';
import type { ApiHandler } from './api-handler';
import type { SessionRecord } from './checkout-sessions';
import { handleControlRequest } from './control-api';
import type { StripeEmulator } from './emulator-types';
import { stripeErrorBody } from './errors';
import { sendHtml, sendJson } from './http-io';
import { handlePayRequest, type PayPageActions } from './pay-handler';
import { renderIndexPage, renderMessagePage } from './pay-page';

const MAX_BODY_BYTES = 1024 * 1024;

export interface RouterOptions {
  api: ApiHandler;
  /** The control API's target: the running emulator's own methods. */
  emulator: StripeEmulator;
  payPage: PayPageActions;
  /** Every session, in creation order, for the index page. */
  sessions: () => readonly SessionRecord[];
  /** Called after each request that may have changed state (anything but GET and HEAD). */
  changed: () => void;
  log: (line: string) => void;
}

/** The request listener of the emulator's `http.Server`. */
export function createRouter(options: RouterOptions): http.RequestListener {
  return (req, res) => {
    route(options, req, res)
      .catch((err: unknown) => {
        options.log(`internal error: ${err instanceof Error ? err.message : String(err)}`);
        if (!res.headersSent)
          sendJson(res, 500, stripeErrorBody({ type: 'api_error', message: 'Internal error.' }));
        else res.destroy();
      })
      .finally(() => {
        if (req.method !== 'GET' && req.method !== 'HEAD') options.changed();
      });
  };
}

async function route(options: RouterOptions, req: http.IncomingMessage, res: http.ServerResponse) {
  const target = new URL(req.url ?? '/', 'http://emulator.invalid');
  const method = (req.method ?? 'GET').toUpperCase();
  const raw = await readBody(req, MAX_BODY_BYTES);
  if (raw === null) {
    sendJson(
      res,
      413,
      stripeErrorBody({ type: 'invalid_request_error', message: 'Request body too large.' }),
    );
    return;
  }
  const body = raw.toString('utf8');
  const path = target.pathname;
  if (path.startsWith('/v1/')) {
    await options.api.handle(req, res, method, path, target.search.slice(1), body);
    return;
  }
  if (path.startsWith('/_emulator/')) return handleControlRequest(options.emulator, res, method, path, body);
  if (path === '/pay' || path.startsWith('/pay/'))
    return handlePayRequest(options.payPage, res, method, path, body);
  if (path === '/' && method === 'GET') {
    sendHtml(res, 200, renderIndexPage(options.sessions()));
    return;
  }
  sendHtml(res, 404, renderMessagePage('Not found', `Nothing at ${path}.`));
}
