import {
  pricesFromCatalogProducts,
  type StripeEmulator,
  startStripeEmulator,
} from '../../local/stripe-emulator';
import { loadSampleCatalog } from './catalog-factory';

export const TEST_STRIPE_KEY = 'sk_test_cartcheckout';
export const TEST_WEBHOOK_SECRET = 'whsec_test_cartcheckout_secret';

/** The project's Stripe emulator on an ephemeral port, seeded with the sample catalog's prices. */
export async function startTestEmulator(
  options: { webhookUrl?: string | null; now?: () => number } = {},
): Promise<StripeEmulator> {
  return startStripeEmulator({
    port: 0,
    apiKey: TEST_STRIPE_KEY,
    webhookSecret: TEST_WEBHOOK_SECRET,
    webhookUrl: options.webhookUrl ?? null,
    prices: pricesFromCatalogProducts(loadSampleCatalog().sellables),
    delivery: { maxAttempts: 4, baseDelayMs: 20 },
    ...(options.now ? { now: options.now } : {}),
  });
}
