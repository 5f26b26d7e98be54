/**
 * Shipping rates a session's `shipping_options[]` names or creates (`shipping_rate_data` creates a
 * `shr_…` rate that later sessions may name by id, as in Stripe). Rates are not served as objects;
 * they exist so sessions can charge and show them.
 */
import { invalidParam, resourceMissing } from './errors';
import type { IdKind } from './ids';
import type { SessionCreateParams } from './schemas';

/** A fixed-amount shipping rate. */
export interface ShippingRate {
  id: string;
  displayName: string;
  amount: number;
  currency: string;
}

/** Shipping rates by id. */
export class ShippingRates {
  readonly rates = new Map<string, ShippingRate>();

  constructor(private readonly newId: (kind: IdKind) => string) {}

  /**
   * The rates of a new session's `shipping_options[]`, in order: each an existing rate id or
   * inline `shipping_rate_data` (then created), all in the session's currency.
   */
  resolve(options: NonNullable<SessionCreateParams['shipping_options']>, currency: string): ShippingRate[] {
    return options.map((option, index) => {
      const where = `shipping_options[${index}]`;
      if (option.shipping_rate !== undefined && option.shipping_rate_data !== undefined) {
        throw invalidParam(
          `You may only specify one of these parameters: ${where}[shipping_rate], ${where}[shipping_rate_data].`,
          `${where}[shipping_rate]`,
          'parameters_exclusive',
        );
      }
      let rate: ShippingRate;
      if (option.shipping_rate !== undefined) {
        const existing = this.rates.get(option.shipping_rate);
        if (!existing)
          throw resourceMissing('shipping rate', option.shipping_rate, `${where}[shipping_rate]`);
        rate = existing;
      } else {
        const data = option.shipping_rate_data;
        if (data === undefined) {
          throw invalidParam(
            `You must specify either ${where}[shipping_rate] or ${where}[shipping_rate_data].`,
            `${where}[shipping_rate_data]`,
            'parameter_missing',
          );
        }
        if (data.fixed_amount === undefined) {
          throw invalidParam(
            `Missing required param: ${where}[shipping_rate_data][fixed_amount].`,
            `${where}[shipping_rate_data][fixed_amount]`,
            'parameter_missing',
          );
        }
        rate = {
          id: this.newId('shippingRate'),
          displayName: data.display_name,
          amount: data.fixed_amount.amount,
          currency: data.fixed_amount.currency,
        };
        this.rates.set(rate.id, rate);
      }
      if (rate.currency !== currency) {
        throw invalidParam(
          `The shipping rate's currency (${rate.currency}) must match the session's (${currency}).`,
          `${where}[shipping_rate_data][fixed_amount][currency]`,
        );
      }
      return rate;
    });
  }

  /** Replaces the rates with saved ones. */
  restore(rates: readonly ShippingRate[]): void {
    this.rates.clear();
    for (const rate of rates) this.rates.set(rate.id, rate);
  }

  reset(): void {
    this.rates.clear();
  }
}
