import path from 'node:path';
import { parseArgs } from 'node:util';
import { StageConfigError } from '../infra/lib/stage-config';
import { loadCommandStage, stackIdFor } from '../infra/lib/stage-location';

const USAGE = `Usage: eval "$(npm run -s stage -- --stage prod)"

Prints a stage's facts as shell variables, so the AWS commands in docs/deploy.md run against the
stage's own region, stack and table: STAGE, REGION, STACK, TABLE, SECRET_PREFIX (and ACCOUNT when the
stage file pins one). Reads infra/stages/<stage>.json (another folder: --stages-dir or STAGES_DIR).`;

/** `npm run stage`: the stage file's facts for shell commands (no AWS call, no secret). */
function main(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      stage: { type: 'string' },
      'stages-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help || !values.stage) {
    (values.help ? console.log : console.error)(USAGE);
    return values.help ? 0 : 2;
  }
  const projectRoot = path.resolve(import.meta.dirname, '..');
  const config = loadCommandStage(projectRoot, values.stage, values['stages-dir']);
  const facts: Record<string, string> = {
    STAGE: config.stage,
    REGION: config.region,
    STACK: stackIdFor(config.stage),
    TABLE: config.tableName,
    SECRET_PREFIX: `cart-checkout-${config.stage}`,
    ...(config.account ? { ACCOUNT: config.account } : {}),
  };
  for (const [name, value] of Object.entries(facts)) console.log(`${name}=${shellQuote(value)}`);
  return 0;
}

/** Single-quoted for POSIX shells; the values are validated names, but quoting costs nothing. */
function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (err: unknown) {
  console.error(`stage: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = err instanceof StageConfigError ? 2 : 1;
}
