import { EmulatorError, type StripeErrorBody, type StripeErrorType, stripeErrorBody } from './errors';

/**
 * A fault to inject into the next calls of an API endpoint. Examples:
 * - `{ path: '/v1/checkout/sessions', method: 'POST', status: 500 }` — the next create fails with
 *   Stripe's `api_error` (the SDK retries it when `maxNetworkRetries` > 0);
 * - `{ path: '/v1/coupons', status: 400, error: { code: 'resource_already_exists', message: '…' } }`;
 * - `{ path: '/v1/checkout/sessions', delayMs: 2000 }` — answer late (the request still runs), to
 *   provoke an SDK timeout;
 * - `{ path: '/v1/checkout/sessions', afterProcessing: true, disconnect: true }` — create the session,
 *   then drop the connection: the client never learns the outcome (a retry with the same
 *   idempotency key gets the stored answer).
 */
export interface FaultSpec {
  /** HTTP method to match (any when left out). */
  method?: string;
  /** Path to match: exact, or with `*` or `:name` standing for one segment (`/v1/coupons/*`). */
  path: string;
  /** How many matching calls to affect (default 1). */
  times?: number;
  /** Answer with this status and a Stripe error instead of the real answer. */
  status?: number;
  /** The error body's fields; defaults follow the status (`api_error` for 5xx, `rate_limit` for 429…). */
  error?: { type?: StripeErrorType; code?: string; message?: string; param?: string };
  /** Wait this long before handling the call. */
  delayMs?: number;
  /** Close the connection without an answer. */
  disconnect?: boolean;
  /** Run the call for real first (state changes, idempotency stored), then fail or disconnect. */
  afterProcessing?: boolean;
}

/** A registered fault and how much of it is left. */
export interface FaultState {
  id: string;
  spec: FaultSpec;
  remaining: number;
  hits: number;
}

/** Holds injected faults; each matching API call consumes one use of the oldest matching fault. */
export class FaultRegistry {
  private faults: Array<FaultState & { pattern: RegExp }> = [];
  private counter = 0;

  /** Registers a fault; throws `invalid_fault` when the spec cannot do anything. */
  add(spec: FaultSpec): FaultState {
    validateFault(spec);
    this.counter += 1;
    const fault = {
      id: `fault_${this.counter}`,
      spec: { ...spec },
      remaining: spec.times ?? 1,
      hits: 0,
      pattern: pathPattern(spec.path),
    };
    this.faults.push(fault);
    return publicState(fault);
  }

  clear(): void {
    this.faults = [];
  }

  list(): FaultState[] {
    return this.faults.map(publicState);
  }

  /** The fault for this call, if any, with one use consumed. */
  take(method: string, path: string): FaultState | null {
    const fault = this.faults.find(
      (f) => (f.spec.method === undefined || f.spec.method.toUpperCase() === method) && f.pattern.test(path),
    );
    if (!fault) return null;
    fault.remaining -= 1;
    fault.hits += 1;
    if (fault.remaining <= 0) this.faults = this.faults.filter((f) => f !== fault);
    return publicState(fault);
  }
}

function publicState(fault: FaultState): FaultState {
  return { id: fault.id, spec: { ...fault.spec }, remaining: fault.remaining, hits: fault.hits };
}

function pathPattern(path: string): RegExp {
  const source = path
    .split('/')
    .map((segment) =>
      segment === '*' || segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('/');
  return new RegExp(`^${source}$`);
}

function validateFault(spec: FaultSpec): void {
  const problems: string[] = [];
  if (typeof spec.path !== 'string' || !spec.path.startsWith('/')) problems.push('path must start with /');
  if (spec.times !== undefined && (!Number.isInteger(spec.times) || spec.times < 1)) {
    problems.push('times must be a positive integer');
  }
  if (
    spec.status !== undefined &&
    (!Number.isInteger(spec.status) || spec.status < 400 || spec.status > 599)
  ) {
    problems.push('status must be an error status (400–599)');
  }
  if (spec.delayMs !== undefined && (!Number.isFinite(spec.delayMs) || spec.delayMs < 0)) {
    problems.push('delayMs must be a non-negative number');
  }
  if (spec.status === undefined && !spec.disconnect && spec.delayMs === undefined) {
    problems.push('give at least one of status, disconnect or delayMs');
  }
  if (spec.status !== undefined && spec.disconnect) problems.push('status and disconnect exclude each other');
  if (problems.length > 0) {
    throw new EmulatorError('invalid_fault', `Invalid fault: ${problems.join('; ')}.`, 400);
  }
}

/** The Stripe error body an injected status answers with. */
export function faultErrorBody(spec: FaultSpec & { status: number }): StripeErrorBody {
  const status = spec.status;
  const type: StripeErrorType =
    spec.error?.type ??
    (status >= 500 ? 'api_error' : status === 402 ? 'card_error' : 'invalid_request_error');
  const code = spec.error?.code ?? (status === 429 ? 'rate_limit' : undefined);
  const message =
    spec.error?.message ??
    (status === 429
      ? 'Too many requests hit the API too quickly (injected by the Stripe emulator).'
      : `An error occurred (status ${status} injected by the Stripe emulator).`);
  return stripeErrorBody({ type, code, param: spec.error?.param, message });
}
