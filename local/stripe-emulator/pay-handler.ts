/**
 * The hosted checkout page's requests (`/pay/:id`): show the page, pay (at once or by a delayed
 * method), leave it for the shop's `cancel_url`, and settle a pending transfer. A form's answer is
 * a redirect or the page again with a message; pages are rendered by pay-page.ts.
 */
import type http from 'node:http';
import type { SessionRecord } from './checkout-sessions';
import { EmulatorError } from './errors';
import { redirect, safeDecode, sendHtml } from './http-io';
import type { SessionObject } from './objects';
import { renderMessagePage, renderPayPage } from './pay-page';
import type { CompleteSessionOptions } from './session-lifecycle';

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** What the pay page needs from the emulator (the same steps as its test methods, so they log alike). */
export interface PayPageActions {
  findSession(id: string): SessionRecord | undefined;
  completeSession(id: string, options: CompleteSessionOptions): SessionObject;
  settleAsyncPayment(id: string, succeeded: boolean): SessionObject;
}

/** Answers one request under `/pay`; `body` is the urlencoded form of a POST. */
export function handlePayRequest(
  actions: PayPageActions,
  res: http.ServerResponse,
  method: string,
  path: string,
  body: string,
): void {
  const match = /^\/pay\/([^/]+)(\/cancel|\/settle)?$/.exec(path);
  const record = match ? actions.findSession(safeDecode(match[1] ?? '')) : undefined;
  if (!match || !record) {
    sendHtml(
      res,
      404,
      renderMessagePage('Session not found', 'There is no checkout session at this address.'),
    );
    return;
  }
  const action = match[2] ?? '';
  if (method === 'GET' && action === '') {
    sendHtml(res, 200, renderPayPage(record));
    return;
  }
  if (method !== 'POST') {
    sendHtml(res, 405, renderMessagePage('Method not allowed', `${method} is not allowed here.`));
    return;
  }
  const form = new URLSearchParams(body);
  try {
    if (action === '') pay(actions, res, record, form);
    else if (action === '/cancel') cancel(res, record);
    else settle(actions, res, record, form);
  } catch (err: unknown) {
    if (!(err instanceof EmulatorError)) throw err;
    sendHtml(
      res,
      err.code === 'session_expired' ? 410 : err.statusCode,
      renderPayPage(record, { message: err.message }),
    );
  }
}

/** `POST /pay/:id`: pays, then sends the customer to `success_url` as Stripe does. */
function pay(
  actions: PayPageActions,
  res: http.ServerResponse,
  record: SessionRecord,
  form: URLSearchParams,
): void {
  const choice = form.get('action') ?? 'pay';
  if (choice !== 'pay' && choice !== 'pay_async') {
    sendHtml(res, 400, renderPayPage(record, { message: `Unknown action ${choice}.` }));
    return;
  }
  const email = form.get('email')?.trim() || undefined;
  if (email !== undefined && !EMAIL_PATTERN.test(email)) {
    sendHtml(res, 400, renderPayPage(record, { message: 'Enter a valid email address.' }));
    return;
  }
  const id = record.session.id;
  const session = actions.completeSession(id, { async: choice === 'pay_async', email });
  if (session.success_url) {
    redirect(res, session.success_url.replaceAll('{CHECKOUT_SESSION_ID}', id));
  } else {
    sendHtml(res, 200, renderMessagePage('Payment complete', 'Thank you — the order is placed.'));
  }
}

/** `POST /pay/:id/cancel`: back to the shop. */
function cancel(res: http.ServerResponse, record: SessionRecord): void {
  if (record.session.status !== 'open' || !record.session.cancel_url) {
    sendHtml(res, 409, renderPayPage(record, { message: 'This session cannot be cancelled.' }));
    return;
  }
  // Like Stripe: leaving the page does not expire the session; it stays open until expires_at.
  redirect(res, record.session.cancel_url);
}

/** `POST /pay/:id/settle`: the delayed transfer arrived or failed. */
function settle(
  actions: PayPageActions,
  res: http.ServerResponse,
  record: SessionRecord,
  form: URLSearchParams,
): void {
  const outcome = form.get('outcome');
  if (outcome !== 'succeeded' && outcome !== 'failed') {
    sendHtml(res, 400, renderPayPage(record, { message: 'Choose whether the transfer arrived.' }));
    return;
  }
  const id = record.session.id;
  actions.settleAsyncPayment(id, outcome === 'succeeded');
  redirect(res, `/pay/${encodeURIComponent(id)}`);
}
