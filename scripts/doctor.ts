import path from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import Stripe from 'stripe';
import { doctorStageOf } from '../infra/lib/doctor-stage';
import { StageConfigError } from '../infra/lib/stage-config';
import { loadCommandStage } from '../infra/lib/stage-location';
import { createStripeClient } from '../src/adapters/stripe/stripe-client';
import {
  createCloudFormationStacks,
  createSecretsManagerSecrets,
  createSesEmail,
} from '../src/ops/doctor/aws-ports';
import { doctorExitCode, formatDoctorReport, runDoctor } from '../src/ops/doctor/doctor';
import { loadBundledCatalog } from '../src/wiring';

const USAGE = `Usage: npm run doctor -- --stage prod [--api-url <url>] [--stages-dir <folder>] [--json]

Checks a deployed stage end to end, reading only (nothing is changed): the stack and its table in the
stage's region, the three secrets (present, well-formed, a Stripe key of the stage's mode), the Stripe
key, the webhook endpoint (at the stage's URL, enabled, with the events it must send), the catalog's prices at
Stripe, SES (identity verified, sandbox), and CORS for the shop's origins. Each problem says what to do.
Uses your AWS credentials (read access: cloudformation:DescribeStacks, dynamodb:DescribeTable,
secretsmanager:GetSecretValue, ses:GetEmailIdentity, ses:GetAccount). Exit code 1 when a check fails.
--api-url: the API's public URL when it is not the stack's ApiUrl (a custom domain).`;

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      stage: { type: 'string' },
      'api-url': { type: 'string' },
      'stages-dir': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help || !values.stage) {
    (values.help ? console.log : console.error)(USAGE);
    return values.help ? 0 : 2;
  }
  const projectRoot = path.resolve(import.meta.dirname, '..');
  const apiUrl = values['api-url'];
  if (apiUrl !== undefined && !/^https:\/\/[^/?#]+(\/[^?#]*)?$/.test(apiUrl)) {
    console.error(`doctor: --api-url must be an https URL without query or fragment (got "${apiUrl}")`);
    return 2;
  }
  const stage = {
    ...doctorStageOf(loadCommandStage(projectRoot, values.stage, values['stages-dir'])),
    publicApiUrl: apiUrl,
  };
  const stacks = createCloudFormationStacks(stage.region);
  const secrets = createSecretsManagerSecrets(stage.region);
  const email = createSesEmail(stage.region);
  const dynamo = new DynamoDBClient({ region: stage.region });
  try {
    const results = await runDoctor(stage, {
      stacks,
      secrets,
      email,
      dynamo,
      stripeFor: (secretKey) => createStripeClient({ secretKey, timeoutMs: 10_000, maxNetworkRetries: 1 }),
      fetch,
      catalog: loadBundledCatalog(),
      stripeApiVersion: Stripe.API_VERSION,
    });
    process.stdout.write(
      values.json ? `${JSON.stringify(results, null, 2)}\n` : formatDoctorReport(stage, results),
    );
    return doctorExitCode(results);
  } finally {
    for (const client of [stacks, secrets, email, dynamo]) client.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(
      `doctor: ${err instanceof StageConfigError || err instanceof Error ? err.message : String(err)}`,
    );
    process.exitCode = 2;
  },
);
