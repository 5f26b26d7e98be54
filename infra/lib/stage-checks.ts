import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  ConfigError,
  type Env,
  EnvReader,
  loadBaseConfig,
  loadCheckoutConfig,
  loadWebhookConfig,
  readAllowedOrigins,
} from '../../src/config';
import { CatalogError, parseCatalog } from '../../src/domain/catalog';
import { SECRET_ENV, type SecretName } from './handlers';
import type { StageConfig } from './stage-config';
import { sourceOfVariable, stageEnvironment } from './stage-environment';

/** The shop's catalog, which every function bundles (`src/wiring/catalog.ts` imports it). */
export const SHOP_CATALOG_FILE = 'catalog/catalog.json';

/** Secrets are unknown at synth: each is parsed as a well-formed stand-in of its kind. */
const SECRET_STAND_INS: Readonly<Record<SecretName, (config: StageConfig) => string>> = {
  stripeSecretKey: (config) => `sk_${config.stripe.mode}_synthcheck`,
  stripeWebhookSecret: () => 'whsec_synthcheck',
  quoteSigningKeys: (config) => `${config.quote.signingKeyId}:${Buffer.alloc(32, 7).toString('base64')}`,
};

/**
 * What would break a stage once deployed but passes CloudFormation: the sample catalog about to be
 * sold, and settings the functions would refuse at their first cold start. Run before synthesis;
 * each problem names the stage-file field (and the value) and says what to do.
 */
export async function checkStageBeforeSynth(config: StageConfig, projectRoot: string): Promise<string[]> {
  return [...checkCatalog(config, projectRoot), ...(await checkEnvironment(config))];
}

function checkCatalog(config: StageConfig, projectRoot: string): string[] {
  const file = path.join(projectRoot, SHOP_CATALOG_FILE);
  let catalog: ReturnType<typeof parseCatalog>;
  try {
    catalog = parseCatalog(JSON.parse(readFileSync(file, 'utf8')));
  } catch (err: unknown) {
    const why =
      err instanceof CatalogError
        ? err.problems.join('; ')
        : err instanceof Error
          ? err.message
          : String(err);
    return [`${SHOP_CATALOG_FILE}: the functions could not load it (${why})`];
  }
  if (!catalog.sampleData || config.allowSampleCatalog) return [];
  return [
    `${SHOP_CATALOG_FILE} is still the sample catalog ("sampleData": true): stage "${config.stage}" would ` +
      'sell its placeholder products at placeholder prices. Replace catalog/catalog.json with your shop’s ' +
      'own products and their Stripe Price IDs: `npm run catalog -- pull --write` fetches them from your ' +
      'Stripe product catalog (docs/deploy.md, step 3), then check it with ' +
      '`npm run catalog -- verify`. Only for a demo or dev stage: set "allowSampleCatalog": true in ' +
      'its stage file.',
  ];
}

/**
 * Parses the environment the stack gives the functions with `src/config.ts`, the parser they run
 * at cold start, and reports each refusal with the stage-file field it comes from. A variable in
 * `environment` that no parser reads is reported too: a misspelt setting is silently ignored.
 */
async function checkEnvironment(config: StageConfig): Promise<string[]> {
  const base = stageEnvironment(config, config.tableName);
  const standIns = new Map<string, string>();
  const secretVariables: Record<string, string> = {};
  for (const name of Object.keys(SECRET_ENV) as SecretName[]) {
    const arn = `arn:aws:secretsmanager:${config.region}:000000000000:secret:cart-checkout-${config.stage}/${name}`;
    secretVariables[SECRET_ENV[name]] = arn;
    standIns.set(arn, SECRET_STAND_INS[name](config));
  }
  const read = new Set<string>();
  const env: Env = new Proxy(
    { ...base, ...secretVariables },
    {
      get(target, name) {
        if (typeof name === 'string') read.add(name);
        return Reflect.get(target, name);
      },
    },
  );
  const reader = new EnvReader(env, async (arn) => {
    const value = standIns.get(arn);
    if (value === undefined) throw new Error(`no stand-in for ${arn}`);
    return value;
  });

  const problems: string[] = [];
  const parsers = [
    () => readAllowedOrigins(reader),
    () => loadBaseConfig(reader),
    () => loadCheckoutConfig(reader),
    () => loadWebhookConfig(reader),
  ];
  for (const parse of parsers) {
    try {
      await parse();
    } catch (err: unknown) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(describeRefusal(err.message, base));
    }
  }
  for (const name of Object.keys(config.environment)) {
    if (!read.has(name)) {
      problems.push(
        `environment.${name}: no function reads this setting (a typo?); the settings are in the README's configuration table`,
      );
    }
  }
  return [...new Set(problems)];
}

/** `quote.ttlSeconds (QUOTE_TTL_SECONDS = "86400"): QUOTE_TTL_SECONDS must be …`. */
function describeRefusal(message: string, env: Readonly<Record<string, string>>): string {
  const variable = /^[A-Z][A-Z0-9_]*/.exec(message)?.[0];
  if (!variable || env[variable] === undefined)
    return `the functions would refuse their settings: ${message}`;
  return `${sourceOfVariable(variable)} (${variable} = ${JSON.stringify(env[variable])}): ${message}`;
}
