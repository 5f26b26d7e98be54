import type { StripeEmulator } from '../../local/stripe-emulator';

/** The coupon id the emulator has on a session (every checkout attempt has its own), or `null`. */
export function couponOfSession(stripe: StripeEmulator, sessionId: string): string | null {
  return stripe.state().sessions.find((s) => s.session.id === sessionId)?.couponId ?? null;
}
