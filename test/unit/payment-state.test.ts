import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  derivePayment,
  isMoneyAlert,
  mergeFact,
  NO_FACTS,
  type PaymentFact,
  type PaymentFacts,
} from '../../src/domain/payment-state';

const charge = (amountRefunded: number, at: number): PaymentFact => ({
  kind: 'charge',
  chargeId: 'ch_1',
  amount: 5000,
  amountRefunded,
  currency: 'usd',
  at,
});
const refund = (id: string, amount: number, status: string, created: number, at = created): PaymentFact => ({
  kind: 'refund',
  refundId: id,
  amount,
  currency: 'usd',
  status,
  created,
  at,
});
const dispute = (status: string, at: number): PaymentFact => ({
  kind: 'dispute',
  disputeId: 'du_1',
  amount: 5000,
  currency: 'usd',
  status,
  reason: 'fraudulent',
  evidenceDueBy: status === 'won' || status === 'lost' ? null : 9_999,
  at,
});

function mergeAll(facts: readonly PaymentFact[]): PaymentFacts {
  return facts.reduce((held, fact, i) => mergeFact(held, fact, `evt_${i}`) ?? held, NO_FACTS);
}

/** What Stripe sends for two partial refunds, the first of which fails later, and a won dispute. */
const HISTORY: readonly PaymentFact[] = [
  charge(1000, 100),
  refund('re_a', 1000, 'succeeded', 100),
  charge(3000, 110),
  refund('re_b', 2000, 'succeeded', 110),
  refund('re_a', 1000, 'failed', 100, 120),
  dispute('needs_response', 130),
  dispute('under_review', 140),
  dispute('won', 150),
];

describe('payment state from Stripe facts', () => {
  it('derives each state from the amounts and statuses', () => {
    expect(derivePayment(NO_FACTS, 5000).state).toBe('paid');
    expect(derivePayment(mergeAll([charge(1000, 1)]), 5000)).toMatchObject({
      state: 'partially_refunded',
      amountRefunded: 1000,
    });
    expect(derivePayment(mergeAll([refund('re_a', 5000, 'succeeded', 1)]), 5000).state).toBe('refunded');
    expect(derivePayment(mergeAll([dispute('needs_response', 1)]), 5000)).toMatchObject({
      state: 'disputed',
      dispute: { evidenceDueBy: 9_999 },
    });
    expect(derivePayment(mergeAll([dispute('lost', 1)]), 5000).state).toBe('dispute_lost');
    expect(derivePayment(mergeAll([dispute('warning_closed', 1)]), 5000).state).toBe('paid');
    expect(derivePayment(mergeAll([dispute('a_status_of_tomorrow', 1)]), 5000).state).toBe('disputed');
  });

  it('keeps a refund’s state after a won dispute: winning gives back what the dispute held, not what was refunded', () => {
    const won = [dispute('needs_response', 10), dispute('won', 20)];
    expect(derivePayment(mergeAll(won), 5000).state).toBe('dispute_won');
    expect(derivePayment(mergeAll([refund('re_a', 5000, 'succeeded', 5), ...won]), 5000)).toMatchObject({
      state: 'refunded',
      amountRefunded: 5000,
      dispute: { status: 'won' },
    });
    expect(derivePayment(mergeAll([...won, refund('re_a', 1200, 'succeeded', 30)]), 5000).state).toBe(
      'partially_refunded',
    );
  });

  it('takes a failed refund off the charge figure that still counted it', () => {
    const facts = mergeAll([charge(1000, 100), refund('re_a', 1000, 'failed', 100, 120)]);
    expect(derivePayment(facts, 5000)).toMatchObject({ state: 'paid', amountRefunded: 0 });
  });

  it('tells nothing new on a redelivery or an older description', () => {
    const facts = mergeAll(HISTORY);
    for (const fact of HISTORY) expect(mergeFact(facts, fact, 'evt_again')).toBeNull();
  });

  it('ends in the same payment whatever the order and repetition of the events', () => {
    const expected = derivePayment(mergeAll(HISTORY), 5000);
    // The dispute was won, but $20 of the $50 was refunded: still not to ship as sold.
    expect(expected).toMatchObject({
      state: 'partially_refunded',
      amountRefunded: 2000,
      dispute: { status: 'won' },
    });
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: HISTORY.length - 1 }), { maxLength: 12 }),
        fc.func(fc.integer()),
        (extra, key) => {
          const deliveries = [...HISTORY, ...extra.map((i) => HISTORY[i] as PaymentFact)];
          const shuffled = deliveries
            .map((fact, i) => ({ fact, order: key(i) }))
            .sort((a, b) => a.order - b.order)
            .map((d) => d.fact);
          expect(derivePayment(mergeAll(shuffled), 5000)).toEqual(expected);
        },
      ),
    );
  });

  it('alerts when money leaves the shop or a dispute opens or is lost, not when it comes back', () => {
    const paid = { state: 'paid', amountRefunded: 0 } as const;
    expect(isMoneyAlert(paid, { state: 'partially_refunded', amountRefunded: 100 })).toBe(true);
    expect(
      isMoneyAlert(
        { state: 'partially_refunded', amountRefunded: 100 },
        { state: 'partially_refunded', amountRefunded: 300 },
      ),
    ).toBe(true);
    expect(isMoneyAlert(paid, { state: 'disputed', amountRefunded: 0 })).toBe(true);
    expect(
      isMoneyAlert({ state: 'disputed', amountRefunded: 0 }, { state: 'dispute_lost', amountRefunded: 0 }),
    ).toBe(true);
    expect(
      isMoneyAlert({ state: 'disputed', amountRefunded: 0 }, { state: 'dispute_won', amountRefunded: 0 }),
    ).toBe(false);
    expect(isMoneyAlert({ state: 'partially_refunded', amountRefunded: 100 }, paid)).toBe(false);
  });
});
