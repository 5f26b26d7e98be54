import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { StageConfigError } from '../infra/lib/stage-config';
import { loadSelectedStage, readStageSelection } from '../infra/lib/stage-location';
import { MigrationError, parseMapping } from '../src/migrate/mapping';
import { createFileCheckpointStore, type ItemEvent, runMigration } from '../src/migrate/run-migration';
import { createOperatorTableClient } from '../src/ops/operator-table';

const USAGE = `Copies items from a retired DynamoDB table into the commerce table.

  npm run migrate -- --from <table> --map <mapping.json> (--stage <name> | --to <table>) [--apply]
                     [--endpoint <url>] [--region <region>] [--checkpoint <file>] [--restart]
                     [--page-size <n>] [--verbose]

  --from        source table
  --map         mapping file (see infra/migrations/ and docs/deploy.md)
  --stage       the stage whose table is the target, in the stage's region (infra/stages/<name>.json;
                another folder with --stages-dir or STAGES_DIR)
  --to          target table (default: the stage's, else $COMMERCE_TABLE)
  --region      AWS region (default: the stage's, else the SDK's default)
  --apply       write; without it this is a dry run that only reports what it would write
  --endpoint    a DynamoDB-compatible endpoint (e.g. the local stack's DynamoDB Local); AWS when unset
  --checkpoint  progress file of an applying run (default: .data/migrate-<from>-to-<to>.json)
  --restart     ignore the checkpoint and scan from the start
  --verbose     print every item, not only the first 20`;

const SHOWN_BY_DEFAULT = 20;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      from: { type: 'string' },
      map: { type: 'string' },
      to: { type: 'string' },
      apply: { type: 'boolean', default: false },
      endpoint: { type: 'string' },
      region: { type: 'string' },
      stage: { type: 'string' },
      'stages-dir': { type: 'string' },
      checkpoint: { type: 'string' },
      restart: { type: 'boolean', default: false },
      'page-size': { type: 'string' },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || !values.from || !values.map) {
    console.error(USAGE);
    return values.help ? 0 : 1;
  }
  const from = values.from;
  const stage = values.stage
    ? loadSelectedStage(
        path.resolve(import.meta.dirname, '..'),
        values.stage,
        readStageSelection(path.resolve(import.meta.dirname, '..'), {
          argv: values['stages-dir'] ? [`--stages-dir=${values['stages-dir']}`] : [],
          env: process.env,
        }),
      )
    : undefined;
  const to = values.to ?? stage?.tableName ?? process.env.COMMERCE_TABLE;
  if (!to) throw new MigrationError('invalid_arguments', '--stage <name> or --to <table> is required');
  const region = values.region ?? stage?.region;
  const pageSize = values['page-size'] ? Number(values['page-size']) : 100;
  if (!Number.isInteger(pageSize) || pageSize < 1) {
    throw new MigrationError('invalid_arguments', '--page-size must be a positive whole number');
  }
  const mapping = parseMapping(JSON.parse(readFileSync(values.map, 'utf8')), values.map);
  const checkpointFile = values.checkpoint ?? path.join('.data', `migrate-${from}-to-${to}.json`);
  const client = await createOperatorTableClient({ endpoint: values.endpoint, region });

  console.log(
    values.apply
      ? `Migrating ${from} → ${to} (checkpoint: ${checkpointFile})`
      : `DRY RUN ${from} → ${to}: nothing is written; add --apply to write.`,
  );
  let shown = 0;
  const print = (event: ItemEvent) => {
    if (!values.verbose && shown >= SHOWN_BY_DEFAULT) return;
    shown += 1;
    console.log(describeEvent(event, values.apply));
  };
  // Only an applying run leaves a trace on disk.
  if (values.apply) mkdirSync(path.dirname(checkpointFile), { recursive: true });
  const result = await runMigration({
    client,
    from,
    to,
    mapping,
    apply: values.apply,
    now: Math.floor(Date.now() / 1000),
    pageSize,
    checkpoint: createFileCheckpointStore(checkpointFile),
    restart: values.restart,
    onItem: print,
  });
  client.close();

  if (result.skippedTable) {
    console.log(`Nothing to migrate: ${result.skippedTable}`);
    return 0;
  }
  if (result.alreadyComplete) {
    console.log(`Already complete according to ${checkpointFile}; pass --restart to run it again.`);
  }
  const { totals } = result;
  const skipped = Object.entries(totals.skipped)
    .filter(([, n]) => n > 0)
    .map(([reason, n]) => `${reason} ${n}`);
  console.log(
    [
      `${result.resumed ? 'Resumed; ' : ''}scanned ${totals.scanned} in ${result.pages} page(s)`,
      `${values.apply ? 'written' : 'would write'} ${totals.written}`,
      `already present ${totals.alreadyPresent}`,
      `conflicts ${totals.conflicts}`,
      `skipped ${skipped.length > 0 ? skipped.join(', ') : 0}`,
    ].join('; '),
  );
  if (totals.conflicts > 0) {
    console.error('Some target keys already hold different items; they were left untouched (see above).');
    return 2;
  }
  return 0;
}

function describeEvent(event: ItemEvent, apply: boolean): string {
  if (event.outcome === 'skip') return `  skip (${event.reason}): ${event.detail}`;
  const verb = {
    write: apply ? 'wrote' : 'would write',
    already_present: 'already present',
    conflict: 'CONFLICT, kept existing',
  }[event.outcome];
  // Attribute names only: values may hold customer emails.
  const names = Object.keys(event.item).filter((k) => k !== 'PK' && k !== 'SK');
  return `  ${verb}: ${event.item.PK} | ${event.item.SK}  [${names.join(', ')}]`;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof MigrationError || err instanceof StageConfigError ? err.message : err);
    process.exitCode = 1;
  },
);
