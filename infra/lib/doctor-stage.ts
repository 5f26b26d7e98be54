import type { DoctorStage } from '../../src/ops/doctor/doctor';
import { secretNameOf } from './handlers';
import type { StageConfig } from './stage-config';
import { stackIdFor } from './stage-location';

/** A stage file as `npm run doctor` sees it: names as the stack gives them, nothing looked up. */
export function doctorStageOf(config: StageConfig): DoctorStage {
  return {
    stage: config.stage,
    region: config.region,
    stackName: stackIdFor(config.stage),
    tableName: config.tableName,
    allowedOrigins: config.allowedOrigins,
    successUrl: config.checkout.successUrl,
    cancelUrl: config.checkout.cancelUrl,
    stripeMode: config.stripe.mode,
    signingKeyId: config.quote.signingKeyId,
    allowSampleCatalog: config.allowSampleCatalog,
    notifier: config.notifier,
    secrets: {
      stripeSecretKey: secretNameOf(config.stage, 'stripeSecretKey'),
      stripeWebhookSecret: secretNameOf(config.stage, 'stripeWebhookSecret'),
      quoteSigningKeys: secretNameOf(config.stage, 'quoteSigningKeys'),
    },
  };
}
