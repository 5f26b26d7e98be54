import { type Currency, formatMoney } from '../domain/money';
import { DO_NOT_SHIP_STATES, type PaymentState } from '../domain/payment-state';
import {
  type OrderLife,
  type OrderLifeStore,
  REFUND_ATTEMPT_METADATA_KEY,
  type RefundAttempt,
  type RefundAttemptStore,
  type RefundGateway,
  type RefundMade,
  type RefundReason,
  type ShipOutcome,
} from './order-life-ports';
import { type MailOutcome, type OrderMailDeps, sendOwedMail } from './order-mail';
import { orderRefOf } from './payment-events';
import { type OrderProblem, PaymentProviderError } from './ports';

/** An order's payment state: `paid` until Stripe said otherwise. */
export function paymentStateOf(life: OrderLife): PaymentState {
  return life.payment?.state ?? 'paid';
}

/** What the operator must look at before packing an order. */
export type OrderLifeProblem = OrderProblem | 'partially_refunded' | 'refunded' | 'disputed' | 'dispute_lost';

/** The order's problems: how it was charged, and what happened to the money since. */
export function problemsOf(life: OrderLife): OrderLifeProblem[] {
  const state = paymentStateOf(life);
  const money: OrderLifeProblem[] =
    state === 'partially_refunded' || state === 'refunded' || state === 'disputed' || state === 'dispute_lost'
      ? [state]
      : [];
  return [...life.order.problems, ...money];
}

/** Which orders a list shows. */
export type OrderFilter = 'queue' | 'shipped' | 'refunded' | 'disputed' | 'all';
export const ORDER_FILTERS: readonly OrderFilter[] = ['queue', 'shipped', 'refunded', 'disputed', 'all'];

/**
 * Whether an order belongs in a list: the packing queue (the default) is what is left to pack —
 * not shipped, and paid (a partial refund stays, with its problem named; a full refund, an open or
 * lost dispute leave it); `refunded` is any refund, `disputed` any dispute.
 */
export function matchesFilter(life: OrderLife, filter: OrderFilter): boolean {
  const state = paymentStateOf(life);
  switch (filter) {
    case 'queue':
      return (
        life.shipment === null &&
        (state === 'paid' || state === 'partially_refunded' || state === 'dispute_won')
      );
    case 'shipped':
      return life.shipment !== null;
    case 'refunded':
      return (
        state === 'refunded' || state === 'partially_refunded' || (life.payment?.amountRefunded ?? 0) > 0
      );
    case 'disputed':
      // Any dispute, whatever its end: a won one may leave the state to a refund made before it.
      return (life.payment?.dispute ?? null) !== null || state === 'disputed' || state === 'dispute_lost';
    case 'all':
      return true;
  }
}

export interface ShipDeps extends OrderMailDeps {
  readonly orders: OrderLifeStore;
}

export type ShipResult =
  | { readonly result: 'not_found' }
  | (Extract<ShipOutcome, { result: 'refused' }> & { readonly life: OrderLife })
  | (Extract<ShipOutcome, { result: 'shipped' | 'updated' | 'unchanged' }> & {
      readonly previous: OrderLife['shipment'];
      readonly mail: MailOutcome;
      readonly customerEmail: string | null;
    });

/**
 * Marks an order shipped (idempotent: the same carrier and tracking again changes nothing; other
 * ones update it) and sends the customer one shipping confirmation per shipment version. Refused
 * while the payment is refunded or disputed unless `force`.
 */
export async function shipOrder(
  deps: ShipDeps,
  sessionId: string,
  input: { readonly carrier: string | null; readonly tracking: string | null; readonly force: boolean },
  now: number,
): Promise<ShipResult> {
  const life = await deps.orders.findOrder(sessionId);
  if (!life) return { result: 'not_found' };
  const ref = orderRefOf(life.order);
  if (!input.force && DO_NOT_SHIP_STATES.has(paymentStateOf(life))) {
    return { result: 'refused', state: paymentStateOf(life), life };
  }
  const shipment = life.shipment;
  // A correction that names only the carrier or only the tracking keeps the other as it was.
  const given =
    shipment !== null && (input.carrier === null) !== (input.tracking === null)
      ? { carrier: input.carrier ?? shipment.carrier, tracking: input.tracking ?? shipment.tracking }
      : { carrier: input.carrier, tracking: input.tracking };
  const changes =
    shipment === null ||
    ((given.carrier !== null || given.tracking !== null) &&
      (shipment.carrier !== given.carrier || shipment.tracking !== given.tracking));
  if (changes) await deps.orders.oweMail(ref, 'shipped', now);
  const outcome = await deps.orders.markShipped(ref, given, { force: input.force, now });
  if (outcome.result === 'refused') {
    const latest = (await deps.orders.getOrder(ref)) ?? life;
    return { ...outcome, life: latest };
  }
  const mail = await sendOwedMail(deps, ref, 'shipped', now);
  return { ...outcome, previous: shipment, mail, customerEmail: life.order.customerEmail };
}

export interface RefundDeps {
  readonly orders: OrderLifeStore;
  readonly refunds: RefundGateway;
  readonly attempts: RefundAttemptStore;
  /** A new attempt's id (unique; default a random UUID). */
  readonly newAttemptId?: () => string;
}

/**
 * How long a command holds an order's refund while it asks Stripe: beyond the operator command's
 * Stripe calls (three tries of 20 s) so that a live command is never taken over, short enough that
 * a command that died is finished by a re-run a couple of minutes later.
 */
export const REFUND_LEASE_SECONDS = 120;

/** The amount a refund may take now: the charge less what Stripe has refunded so far. */
export function refundableOf(life: OrderLife): number {
  return Math.max(0, life.order.amountTotal - (life.payment?.amountRefunded ?? 0));
}

/** What the operator asked for: an amount (minor units), or the whole remainder. */
export interface RefundAsk {
  readonly amount: number | null;
  readonly reason: RefundReason | null;
  /** The operator means a second refund of the amount just refunded (`--again`). */
  readonly again?: boolean;
}

/**
 * A refund of the amount refunded less than this ago is taken for the same command run twice (a
 * second terminal, the shell's history) and needs `again` to be made.
 */
export const REPEAT_WINDOW_SECONDS = 600;

/**
 * A refund the operator is about to make, before confirming it: a new one (following the order's
 * last attempt `afterSeq`), one started earlier that has no certain answer yet (`resume`: the same
 * idempotency key and parameters again), or the finding that an earlier attempt was made at Stripe
 * although its command never heard so (`made_earlier`: nothing more to do for the same request).
 */
export type RefundPlan =
  | {
      readonly kind: 'new';
      readonly life: OrderLife;
      readonly paymentIntentId: string;
      readonly amount: number;
      readonly ask: RefundAsk;
      readonly refundable: number;
      readonly afterSeq: number;
    }
  | { readonly kind: 'resume'; readonly life: OrderLife; readonly attempt: RefundAttempt }
  | {
      readonly kind: 'made_earlier';
      readonly life: OrderLife;
      readonly attempt: RefundAttempt;
      readonly refund: RefundMade;
      /** The earlier attempt is what the operator asks for now (a re-run of the same command). */
      readonly sameRequest: boolean;
    };

export type RefundRefusal =
  | 'not_found'
  | 'nothing_paid'
  | 'dispute_lost'
  | 'nothing_to_refund'
  | 'amount_too_large'
  | 'no_payment'
  | 'in_progress'
  | 'changed_meanwhile'
  | 'just_refunded';

export class RefundRefusedError extends Error {
  override readonly name = 'RefundRefusedError';
  constructor(
    readonly code: RefundRefusal,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Stripe gave no certain answer (a timeout, a lost connection, 5xx, 429, 409): the refund may or
 * may not exist. The attempt stays pending; running the same command again finishes it.
 */
export class RefundOutcomeUnknownError extends Error {
  override readonly name = 'RefundOutcomeUnknownError';
  constructor(
    readonly attempt: RefundAttempt,
    options: { cause: unknown },
  ) {
    super(`No certain answer from Stripe about the refund of order ${attempt.sessionId}`, options);
  }
}

const moneyOf = (life: OrderLife) => (amount: number) => formatMoney(amount, life.order.currency as Currency);

const utc = (seconds: number) =>
  `${new Date(seconds * 1000).toISOString().slice(0, 19).replace('T', ' ')} UTC`;

/** Whether the operator's request now is the earlier attempt's (the same command run again). */
function asksFor(attempt: RefundAttempt, ask: RefundAsk): boolean {
  return ask.amount === null ? attempt.asked === null : ask.amount === attempt.amount;
}

/** Whether the order's payment says Stripe reported the refund failed (or canceled). */
function failedAtStripe(life: OrderLife, refundId: string | null): boolean {
  return (life.payment?.refunds ?? []).some(
    (r) => r.id === refundId && (r.status === 'failed' || r.status === 'canceled'),
  );
}

function inProgress(life: OrderLife, attempt: RefundAttempt): RefundRefusedError {
  const money = moneyOf(life);
  return new RefundRefusedError(
    'in_progress',
    `Another command is refunding ${money(attempt.amount)} of order ${attempt.sessionId} (attempt ${attempt.attemptId}, ` +
      `started ${utc(attempt.startedAt)}). Wait for it; if it has stopped, run this again after ${utc(attempt.leaseUntil)}.`,
  );
}

/**
 * Checks a refund of the session's order and decides what it is: a pending attempt of the order is
 * looked up at Stripe first (by the attempt id in the refunds' metadata) — found, it is recorded as
 * made and reported; not found, the same request resumes it. Otherwise the amount (the whole
 * remainder when `null`) is checked against what is left, in the order's money.
 */
export async function planRefund(
  deps: RefundDeps,
  sessionId: string,
  ask: RefundAsk,
  now: number,
): Promise<RefundPlan> {
  const life = await deps.orders.findOrder(sessionId);
  if (!life) throw new RefundRefusedError('not_found', `No paid order for session ${sessionId}.`);
  const money = moneyOf(life);
  const attempt = await deps.attempts.getAttempt(sessionId);
  if (attempt?.state === 'pending') {
    if (attempt.leaseUntil >= now) throw inProgress(life, attempt);
    const refund = await deps.refunds.findAttemptRefund(attempt.paymentIntentId, attempt.attemptId);
    if (refund) {
      await deps.attempts.endAttempt(sessionId, attempt.seq, { state: 'made', refundId: refund.id }, now);
      return { kind: 'made_earlier', life, attempt, refund, sameRequest: asksFor(attempt, ask) };
    }
    if (asksFor(attempt, ask)) return { kind: 'resume', life, attempt };
    // Another request while the earlier one was never made at Stripe: it replaces that attempt.
  }
  if (paymentStateOf(life) === 'dispute_lost') {
    throw new RefundRefusedError(
      'dispute_lost',
      `Order ${sessionId} lost its dispute: the bank already took the payment back for the customer, so a refund would pay them twice. Nothing to refund.`,
    );
  }
  if (life.order.amountTotal === 0) {
    throw new RefundRefusedError(
      'nothing_paid',
      `Order ${sessionId} was not paid anything (total ${money(0)}${life.order.code ? `, code ${life.order.code}` : ''}): there is nothing to refund.`,
    );
  }
  const refundable = refundableOf(life);
  if (refundable === 0) {
    throw new RefundRefusedError(
      'nothing_to_refund',
      `Order ${sessionId} is refunded in full already (${money(life.order.amountTotal)}).`,
    );
  }
  const wanted = ask.amount ?? refundable;
  if (wanted > refundable) {
    const refunded = life.order.amountTotal - refundable;
    throw new RefundRefusedError(
      'amount_too_large',
      `At most ${money(refundable)} of order ${sessionId} can still be refunded ` +
        `(${money(life.order.amountTotal)} paid, ${money(refunded)} refunded); ${money(wanted)} was asked.`,
    );
  }
  if (
    !ask.again &&
    attempt?.state === 'made' &&
    asksFor(attempt, ask) &&
    !failedAtStripe(life, attempt.refundId) &&
    now - (attempt.endedAt ?? attempt.startedAt) < REPEAT_WINDOW_SECONDS
  ) {
    throw new RefundRefusedError(
      'just_refunded',
      `The same refund of order ${sessionId} was made ${utc(attempt.endedAt ?? attempt.startedAt)} ` +
        `(${money(attempt.amount)}, ${attempt.refundId}). To refund ${money(wanted)} a second time, run it with --again.`,
    );
  }
  const paymentIntentId =
    life.order.paymentIntentId ?? (await deps.refunds.paymentIntentOfSession(sessionId));
  if (!paymentIntentId) {
    throw new RefundRefusedError('no_payment', `Stripe names no payment for session ${sessionId}.`);
  }
  return {
    kind: 'new',
    life,
    paymentIntentId,
    amount: wanted,
    ask,
    refundable,
    afterSeq: attempt?.seq ?? 0,
  };
}

/**
 * Makes the planned refund at most once (decision 193): a new attempt is recorded, leased, before
 * Stripe is called — refused if another command recorded one since the plan's look — or a pending
 * one is leased again; then Stripe is asked with the attempt's own idempotency key and its id in
 * the metadata. A certain answer ends the attempt (made, or refused: the error is thrown on); no
 * certain answer leaves it pending for the re-run ({@link RefundOutcomeUnknownError}). The webhook
 * records the refund on the order when Stripe reports it.
 */
export async function executeRefund(
  deps: RefundDeps,
  plan: Extract<RefundPlan, { kind: 'new' | 'resume' }>,
  now: number,
): Promise<RefundMade & { readonly attempt: RefundAttempt }> {
  const leaseUntil = now + REFUND_LEASE_SECONDS;
  const sessionId = plan.life.order.sessionId;
  let attempt: RefundAttempt;
  if (plan.kind === 'new') {
    const attemptId = deps.newAttemptId?.() ?? globalThis.crypto.randomUUID();
    attempt = {
      sessionId,
      seq: plan.afterSeq + 1,
      attemptId,
      idempotencyKey: `refund-${sessionId}-${attemptId}`,
      paymentIntentId: plan.paymentIntentId,
      amount: plan.amount,
      asked: plan.ask.amount,
      reason: plan.ask.reason,
      state: 'pending',
      startedAt: now,
      leaseUntil,
      tries: 1,
      refundId: null,
      endedAt: null,
    };
    if (!(await deps.attempts.startAttempt(attempt, plan.afterSeq, now))) {
      throw await lostTheRace(deps, plan.life);
    }
  } else {
    attempt = plan.attempt;
    if (!(await deps.attempts.resumeAttempt(sessionId, attempt.seq, leaseUntil, now))) {
      throw await lostTheRace(deps, plan.life);
    }
  }
  let refund: RefundMade;
  try {
    refund = await deps.refunds.createRefund(
      {
        paymentIntentId: attempt.paymentIntentId,
        amount: attempt.amount,
        reason: attempt.reason,
        metadata: { sessionId, source: 'orders-cli', [REFUND_ATTEMPT_METADATA_KEY]: attempt.attemptId },
      },
      { idempotencyKey: attempt.idempotencyKey },
    );
  } catch (err: unknown) {
    if (err instanceof PaymentProviderError && err.kind === 'rejected') {
      await deps.attempts.endAttempt(sessionId, attempt.seq, { state: 'refused' }, now);
      throw err;
    }
    await deps.attempts.releaseAttempt(sessionId, attempt.seq);
    throw new RefundOutcomeUnknownError(attempt, { cause: err });
  }
  await deps.attempts.endAttempt(sessionId, attempt.seq, { state: 'made', refundId: refund.id }, now);
  return { ...refund, attempt };
}

/** Another command recorded or took the order's refund between this one's look and its write. */
async function lostTheRace(deps: RefundDeps, life: OrderLife): Promise<RefundRefusedError> {
  const sessionId = life.order.sessionId;
  const current = await deps.attempts.getAttempt(sessionId);
  if (current?.state === 'pending') return inProgress(life, current);
  const money = moneyOf(life);
  const what = current
    ? `${money(current.amount)}${current.refundId ? ` (${current.refundId})` : ''}, ${current.state === 'made' ? 'made' : 'refused by Stripe'} ${utc(current.endedAt ?? current.startedAt)}`
    : 'one';
  return new RefundRefusedError(
    'changed_meanwhile',
    `Another command asked for a refund of order ${sessionId} meanwhile: ${what}. Nothing refunded now; ` +
      `look at the order (npm run orders -- show ${sessionId}) and run this again if another refund is wanted.`,
  );
}
