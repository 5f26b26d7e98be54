import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  buildStageConfig,
  InitStageError,
  readTemplate,
  type StageTemplate,
  writeStageFile,
} from '../infra/lib/init-stage';
import { StageConfigError } from '../infra/lib/stage-config';
import { EXAMPLES_DIR, readStageSelection } from '../infra/lib/stage-location';

const USAGE = `Creates a stage file for your shop from an example stage.

  npm run init-stage -- --name prod --domain shop.example.com --region us-west-2 \\
                        --alert-email ops@shop.example.com [options]

  --name          the stage: prod, dev, … (its file: infra/stages/<name>.json)
  --domain        the shop's domain; the storefront's origin is https://<domain>
  --region        the AWS region to deploy to, e.g. us-west-2
  --alert-email   who receives the alarms
  --shop-name     the shop's name as customers see it (default: the domain)
  --template      prod (live payments, canary rollout; the default) or dev (test mode, the sample
                  catalog allowed)
  --stripe-mode   live or test (default: the template's)
  --origin        another storefront origin, e.g. https://www.shop.example.com (repeatable)
  --notify-to     email each paid order to this address through SES (repeatable); without it,
                  orders are logged and listed by npm run orders
  --notify-from   the sender of those emails (default: orders@<domain>)
  --success-url / --cancel-url   Checkout's return pages (default: https://<domain>/checkout/success
                  ?session_id={CHECKOUT_SESSION_ID} and https://<domain>/checkout/cancel)
  --table         the DynamoDB table (default: cart-checkout-<name>)
  --account       pin the AWS account id (default: whichever your credentials use)
  --stages-dir    where to write (default: infra/stages, or STAGES_DIR)
  --force         replace an existing stage file

Then review the file, and follow docs/deploy.md.`;

/** `npm run init-stage`: a new stage file in the shop's own folder, never by editing another shop's. */
function main(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      name: { type: 'string' },
      domain: { type: 'string' },
      region: { type: 'string' },
      'alert-email': { type: 'string' },
      'shop-name': { type: 'string' },
      template: { type: 'string', default: 'prod' },
      'stripe-mode': { type: 'string' },
      origin: { type: 'string', multiple: true },
      'notify-to': { type: 'string', multiple: true },
      'notify-from': { type: 'string' },
      'success-url': { type: 'string' },
      'cancel-url': { type: 'string' },
      table: { type: 'string' },
      account: { type: 'string' },
      'stages-dir': { type: 'string' },
      force: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const missing = (['name', 'domain', 'region', 'alert-email'] as const).filter((key) => !values[key]);
  if (missing.length > 0) {
    console.error(`init-stage: ${missing.map((m) => `--${m}`).join(', ')} required.\n\n${USAGE}`);
    return 2;
  }
  const template = values.template;
  if (template !== 'prod' && template !== 'dev') {
    console.error(`init-stage: --template must be prod or dev (got "${template}").`);
    return 2;
  }
  const stripeMode = values['stripe-mode'];
  if (stripeMode !== undefined && stripeMode !== 'live' && stripeMode !== 'test') {
    console.error(`init-stage: --stripe-mode must be live or test (got "${stripeMode}").`);
    return 2;
  }
  const projectRoot = path.resolve(import.meta.dirname, '..');
  const { stagesDir } = readStageSelection(projectRoot, {
    argv: values['stages-dir'] ? [`--stages-dir=${values['stages-dir']}`] : [],
    env: process.env,
  });
  const config = buildStageConfig(
    readTemplate(path.join(projectRoot, EXAMPLES_DIR), template as StageTemplate),
    {
      name: String(values.name),
      domain: String(values.domain),
      region: String(values.region),
      alertEmail: String(values['alert-email']),
      shopName: values['shop-name'],
      account: values.account,
      tableName: values.table,
      extraOrigins: values.origin,
      successUrl: values['success-url'],
      cancelUrl: values['cancel-url'],
      notifyTo: values['notify-to'],
      notifyFrom: values['notify-from'],
      stripeMode,
    },
  );
  const file = writeStageFile(stagesDir, config, values.force);
  const shown = path.relative(process.cwd(), file) || file;
  console.log(`Wrote ${shown} (from the ${template} example).

Next (docs/deploy.md):
  1. Review it: origins ${config.allowedOrigins.join(', ')}, table ${config.tableName}, region ${config.region},
     Stripe ${config.stripe.mode} mode, notifications: ${config.notifier.kind === 'ses' ? `SES from ${config.notifier.from}` : 'logged only'}.
  2. ${config.allowSampleCatalog ? 'The sample catalog is allowed on this stage; replace' : 'Replace'} catalog/catalog.json with your shop's own products and Stripe Price IDs
     (npm run catalog -- pull --write fetches them from your Stripe products).
  3. npm run synth -- --stage=${config.stage}`);
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (err: unknown) {
  const expected =
    err instanceof StageConfigError ||
    err instanceof InitStageError ||
    String((err as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS');
  console.error(`init-stage: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = expected ? 2 : 1;
}
