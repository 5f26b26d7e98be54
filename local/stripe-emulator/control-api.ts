/**
 * The control API (`/_emulator/…`): the {@link StripeEmulator} test methods over HTTP, for the
 * local stack, browser tests and curl. JSON in and out; errors are `{ error: { code, message } }`.
 * Bodies are checked by small schemas whose messages say what to send, in the emulator's words;
 * the fault registry then checks what a fault's values mean (a status in 400–599…).
 */
import type http from 'node:http';
import * as v from 'valibot';
import type { StripeEmulator } from './emulator-types';
import { EmulatorError, type EmulatorErrorCode } from './errors';
import { safeDecode, sendJson } from './http-io';

const CompleteBody = v.object({
  async: v.optional(v.boolean('async must be a boolean')),
  email: v.optional(v.string('email must be a string')),
});

// A missing required key is reported with the object's message, so it says what to send.
const SettleBody = v.object(
  { succeeded: v.boolean('Send {"succeeded": true|false}') },
  'Send {"succeeded": true|false}',
);

const WebhookBody = v.object(
  { url: v.nullable(v.string('Send {"url": "http://…"} or {"url": null}')) },
  'Send {"url": "http://…"} or {"url": null}',
);

const DisputeBody = v.object(
  {
    paymentIntent: v.string('Send {"paymentIntent": "pi_…"} (the paid session\'s payment_intent)'),
    amount: v.optional(v.number('amount must be a number (minor units)')),
    reason: v.optional(v.string('reason must be a string')),
    inquiry: v.optional(v.boolean('inquiry must be a boolean')),
  },
  'Send {"paymentIntent": "pi_…"}',
);

const DisputeUpdateBody = v.object(
  {
    status: v.picklist(
      ['under_review', 'warning_under_review'],
      'Send {"status": "under_review"} (or "warning_under_review" for an inquiry)',
    ),
  },
  'Send {"status": "under_review"}',
);

const DisputeCloseBody = v.object(
  {
    status: v.picklist(
      ['won', 'lost', 'warning_closed'],
      'Send {"status": "won" | "lost" | "warning_closed"}',
    ),
  },
  'Send {"status": "won" | "lost" | "warning_closed"}',
);

const STRIPE_ERROR_TYPES = ['api_error', 'card_error', 'idempotency_error', 'invalid_request_error'] as const;

const FaultBody = v.object(
  {
    path: v.string('path must be a string'),
    method: v.optional(v.string('method must be a string')),
    times: v.optional(v.number('times must be a number')),
    status: v.optional(v.number('status must be a number')),
    delayMs: v.optional(v.number('delayMs must be a number')),
    disconnect: v.optional(v.boolean('disconnect must be a boolean')),
    afterProcessing: v.optional(v.boolean('afterProcessing must be a boolean')),
    error: v.optional(
      v.object(
        {
          type: v.optional(
            v.picklist(STRIPE_ERROR_TYPES, `error.type must be one of ${STRIPE_ERROR_TYPES.join(', ')}`),
          ),
          code: v.optional(v.string('error.code must be a string')),
          message: v.optional(v.string('error.message must be a string')),
          param: v.optional(v.string('error.param must be a string')),
        },
        'error must be an object',
      ),
    ),
  },
  'A fault needs a path',
);

interface ControlRoute {
  method: string;
  regex: RegExp;
  /** The answer's body; `undefined` answers 204. `id` is the decoded `:id` of the path. */
  run(emulator: StripeEmulator, body: string, id: string): unknown;
}

function control(method: string, pattern: string, run: ControlRoute['run']): ControlRoute {
  return { method, regex: new RegExp(`^${pattern.replace(':id', '([^/]+)')}$`), run };
}

const CONTROL_ROUTES: readonly ControlRoute[] = [
  control('GET', '/_emulator/state', (emulator) => emulator.state()),
  control('GET', '/_emulator/faults', (emulator) => emulator.faults.list()),
  control('POST', '/_emulator/faults', (emulator, body) =>
    emulator.faults.add(readBody(FaultBody, body, 'invalid_fault')),
  ),
  control('DELETE', '/_emulator/faults', (emulator) => {
    emulator.faults.clear();
  }),
  control('POST', '/_emulator/sessions/:id/complete', (emulator, body, id) =>
    emulator.completeSession(id, readBody(CompleteBody, body)),
  ),
  control('POST', '/_emulator/sessions/:id/settle', (emulator, body, id) =>
    emulator.settleAsyncPayment(id, readBody(SettleBody, body).succeeded),
  ),
  control('POST', '/_emulator/sessions/:id/expire', (emulator, _body, id) => emulator.expireSession(id)),
  control('POST', '/_emulator/refunds/:id/fail', (emulator, _body, id) => emulator.failRefund(id)),
  control('POST', '/_emulator/disputes', (emulator, body) => {
    const { paymentIntent, ...options } = readBody(DisputeBody, body);
    return emulator.openDispute(paymentIntent, options);
  }),
  control('POST', '/_emulator/disputes/:id/update', (emulator, body, id) =>
    emulator.updateDispute(id, readBody(DisputeUpdateBody, body).status),
  ),
  control('POST', '/_emulator/disputes/:id/close', (emulator, body, id) =>
    emulator.closeDispute(id, readBody(DisputeCloseBody, body).status),
  ),
  control('POST', '/_emulator/expire-due', (emulator) => ({ expired: emulator.expireDueSessions() })),
  control('PUT', '/_emulator/webhook', (emulator, body) => {
    const { url } = readBody(WebhookBody, body);
    emulator.setWebhookUrl(url);
    return { webhookUrl: url };
  }),
  control('POST', '/_emulator/events/:id/resend', (emulator, _body, id) => {
    emulator.resendEvent(id);
  }),
  control('POST', '/_emulator/reset', (emulator) => {
    emulator.reset();
  }),
];

/** Answers one request under `/_emulator/`. */
export function handleControlRequest(
  emulator: StripeEmulator,
  res: http.ServerResponse,
  method: string,
  path: string,
  body: string,
): void {
  try {
    const result = runControl(emulator, method, path, body);
    sendJson(res, result === undefined ? 204 : 200, result ?? null);
  } catch (err: unknown) {
    if (err instanceof EmulatorError) sendJson(res, err.statusCode, err.toJSON());
    else throw err;
  }
}

function runControl(emulator: StripeEmulator, method: string, path: string, body: string): unknown {
  for (const candidate of CONTROL_ROUTES) {
    const match = candidate.regex.exec(path);
    if (match && candidate.method === method) {
      return candidate.run(emulator, body, safeDecode(match[1] ?? ''));
    }
  }
  throw new EmulatorError('invalid_request', `No control endpoint ${method} ${path}.`, 404);
}

/**
 * A JSON body checked by `schema`; an empty body is `{}`. Every problem is named in one 400
 * (`code`, `invalid_request` by default), so a caller fixes them all at once.
 */
function readBody<S extends v.GenericSchema<unknown, unknown>>(
  schema: S,
  body: string,
  code: EmulatorErrorCode = 'invalid_request',
): v.InferOutput<S> {
  let value: unknown = {};
  if (body.trim() !== '') {
    try {
      value = JSON.parse(body);
    } catch {
      throw new EmulatorError('invalid_request', 'The body is not valid JSON.', 400);
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new EmulatorError('invalid_request', 'The body must be a JSON object.', 400);
  }
  const parsed = v.safeParse(schema, value);
  if (!parsed.success) {
    throw new EmulatorError(code, `${parsed.issues.map((issue) => issue.message).join('; ')}.`, 400);
  }
  return parsed.output;
}
