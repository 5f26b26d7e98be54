import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseStageConfig, type StageConfig } from './stage-config';

/** A new stage cannot be made from these options; the message names the option and the fix. */
export class InitStageError extends Error {
  override readonly name = 'InitStageError';
  readonly code = 'invalid_arguments';
}

/** What a new stage is made from: the shop's own facts; the rest comes from an example stage. */
export interface NewStageOptions {
  /** The stage's name, e.g. `prod` (also its file name, its stack's and its resources' suffix). */
  readonly name: string;
  /** The shop's domain, e.g. `shop.example.com`: its storefront origin and checkout pages. */
  readonly domain: string;
  readonly region: string;
  readonly alertEmail: string;
  readonly shopName?: string | undefined;
  readonly account?: string | undefined;
  readonly tableName?: string | undefined;
  /** More storefront origins besides `https://<domain>`, e.g. `https://www.shop.example.com`. */
  readonly extraOrigins?: readonly string[] | undefined;
  readonly successUrl?: string | undefined;
  readonly cancelUrl?: string | undefined;
  /** Who is emailed each paid order (through SES); without any, orders are only logged. */
  readonly notifyTo?: readonly string[] | undefined;
  /** The sender of those emails; `orders@<domain>` by default. */
  readonly notifyFrom?: string | undefined;
  readonly stripeMode?: 'live' | 'test' | undefined;
}

/** The example a stage starts from: `prod` (live payments, canary) or `dev` (test mode, sample catalog). */
export type StageTemplate = 'prod' | 'dev';

const DOMAIN_PATTERN = /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/**
 * Builds a stage config from an example stage and the shop's own facts, and validates it as synth
 * would. Everything shop-specific (name, origins, pages, table, region, addresses) comes from the
 * options; the example contributes only the shape and the advised figures.
 */
export function buildStageConfig(template: unknown, options: NewStageOptions): StageConfig {
  const domain = options.domain.trim().toLowerCase();
  if (!DOMAIN_PATTERN.test(domain)) {
    throw new InitStageError(
      `--domain "${options.domain}" must be the shop's domain name, such as shop.example.com (no https://, no path)`,
    );
  }
  const base = structuredClone(template) as Record<string, unknown> & { stripe: Record<string, unknown> };
  const origin = `https://${domain}`;
  const notifyTo = options.notifyTo ?? [];
  const from = options.notifyFrom ?? `orders@${domain}`;
  const data = {
    ...base,
    stage: options.name,
    shop: { name: options.shopName ?? domain },
    region: options.region,
    ...(options.account ? { account: options.account } : {}),
    tableName: options.tableName ?? `cart-checkout-${options.name}`,
    allowedOrigins: [origin, ...(options.extraOrigins ?? [])],
    checkout: {
      successUrl: options.successUrl ?? `${origin}/checkout/success?session_id={CHECKOUT_SESSION_ID}`,
      cancelUrl: options.cancelUrl ?? `${origin}/checkout/cancel`,
    },
    stripe: { ...base.stripe, ...(options.stripeMode ? { mode: options.stripeMode } : {}) },
    notifier:
      notifyTo.length > 0
        ? { kind: 'ses', from, to: [...notifyTo], identity: from.slice(from.indexOf('@') + 1) }
        : { kind: 'log' },
    alertEmail: options.alertEmail,
    // API Gateway stage names take letters, digits and underscores only.
    api: { mode: 'create', stageName: options.name.replaceAll('-', '_') },
    // The example's shipping settings are the example shop's, not this one's.
    environment: {},
    secretsRevision: 0,
  };
  return parseStageConfig(data, `new stage "${options.name}"`, options.name);
}

/** Reads an example stage (`infra/examples/<template>.json`). */
export function readTemplate(examplesDir: string, template: StageTemplate): unknown {
  return JSON.parse(readFileSync(path.join(examplesDir, `${template}.json`), 'utf8'));
}

/**
 * Writes `<stagesDir>/<stage>.json`, never over an existing file unless `overwrite`: a stage file
 * is the shop's own and may hold edits a second run must not lose.
 */
export function writeStageFile(stagesDir: string, config: StageConfig, overwrite = false): string {
  const file = path.join(stagesDir, `${config.stage}.json`);
  if (existsSync(file) && !overwrite) {
    throw new InitStageError(`${file} already exists; edit it, or pass --force to start it over`);
  }
  mkdirSync(stagesDir, { recursive: true });
  writeFileSync(file, `${formatStageJson(config)}\n`);
  return file;
}

const LINE_WIDTH = 110;

/**
 * JSON as the project's formatter (Biome) writes it, so a shop's `npm run lint` passes on a fresh
 * stage file: objects one key per line, a list of plain values on one line when it fits.
 */
export function formatStageJson(value: unknown, indent = '', column = indent.length): string {
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    const items = value.map((item) => formatStageJson(item, inner));
    const flat = `[${items.join(', ')}]`;
    const plain = value.every((item) => item === null || typeof item !== 'object');
    // A trailing comma may follow on the line.
    if (plain && column + flat.length + 1 <= LINE_WIDTH) return flat;
    return items.length === 0 ? '[]' : `[\n${items.map((i) => inner + i).join(',\n')}\n${indent}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '{}';
    const lines = entries.map(([k, v]) => {
      const key = `${inner}${JSON.stringify(k)}: `;
      return key + formatStageJson(v, inner, key.length);
    });
    return `{\n${lines.join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}
