import path from 'node:path';
import { listStages, loadStageConfig, type StageConfig, StageConfigError } from './stage-config';

/**
 * Where the stage files of the shop this checkout deploys live. The upstream project never commits a
 * stage file here (only a README), so a shop's own `prod.json` never conflicts with a `git pull`.
 */
export const DEFAULT_STAGES_DIR = 'infra/stages';
/** The example stages `npm run init-stage` starts from (a made-up shop at shop.example.com). */
export const EXAMPLES_DIR = 'infra/examples';

/** The stack id of a stage, e.g. `CartCheckout-prod`; `cdk deploy` takes it. */
export function stackIdFor(stage: string): string {
  return `CartCheckout-${stage}`;
}

/** Which stage files to read, and from where. */
export interface StageSelection {
  /** Absolute folder of the stage files. */
  readonly stagesDir: string;
  /** The stages asked for; `undefined`: every stage in the folder. */
  readonly stages: readonly string[] | undefined;
}

/** Where a selection may come from: the CLI's arguments, the CDK context, the environment. */
export interface SelectionSources {
  readonly argv?: readonly string[];
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Reads the stage selection the way every command takes it: `--stage=prod` / `--stages-dir=dir`
 * arguments, then the CDK context (`-c stage=prod -c stagesDir=dir`, which the CDK CLI hands over in
 * `CDK_CONTEXT_JSON`), then `STAGE` / `STAGES_DIR`. A relative folder is relative to `projectRoot`.
 */
export function readStageSelection(projectRoot: string, sources: SelectionSources = {}): StageSelection {
  const argv = sources.argv ?? [];
  const env = sources.env ?? {};
  const context = readContext(env.CDK_CONTEXT_JSON);
  const fromArgs = (name: string) =>
    argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(`--${name}=`.length);
  const rawStages = fromArgs('stage') ?? context.stage ?? env.STAGE;
  const rawDir = fromArgs('stages-dir') ?? context.stagesDir ?? env.STAGES_DIR ?? DEFAULT_STAGES_DIR;
  return {
    stagesDir: path.resolve(projectRoot, rawDir),
    stages: rawStages
      ? rawStages
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : undefined,
  };
}

/** The CDK CLI passes `--context` values to the app through `CDK_CONTEXT_JSON`. */
function readContext(json: string | undefined): { stage?: string; stagesDir?: string } {
  if (!json) return {};
  const context = JSON.parse(json) as Record<string, unknown>;
  return {
    ...(typeof context.stage === 'string' ? { stage: context.stage } : {}),
    ...(typeof context.stagesDir === 'string' ? { stagesDir: context.stagesDir } : {}),
  };
}

/**
 * Loads the selected stage configs. No stage at all is an error that says how to create one, so a
 * fresh clone never deploys somebody else's (or the example's) settings by accident.
 */
export function loadSelectedStages(projectRoot: string, selection: StageSelection): StageConfig[] {
  const existing = listStages(selection.stagesDir);
  if (existing.length === 0) {
    throw new StageConfigError(selection.stagesDir, [noStageMessage(projectRoot, selection.stagesDir)]);
  }
  return (selection.stages ?? existing).map((stage) => loadStageConfig(selection.stagesDir, stage));
}

/** One stage's config, for the operator commands (`orders`, `doctor`, `storefront:build`, …). */
export function loadSelectedStage(
  projectRoot: string,
  stage: string,
  selection: StageSelection,
): StageConfig {
  const [config] = loadSelectedStages(projectRoot, { ...selection, stages: [stage] });
  if (!config) throw new StageConfigError(selection.stagesDir, [`no stage "${stage}"`]);
  return config;
}

/**
 * The stage an operator command names (`--stage <name>`, with `--stages-dir <dir>` or `STAGES_DIR`
 * for another folder of stage files), read as synth reads it.
 */
export function loadCommandStage(
  projectRoot: string,
  stage: string,
  stagesDir: string | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env,
): StageConfig {
  const selection = readStageSelection(projectRoot, {
    argv: stagesDir ? [`--stages-dir=${stagesDir}`] : [],
    env,
  });
  return loadSelectedStage(projectRoot, stage, selection);
}

function noStageMessage(projectRoot: string, stagesDir: string): string {
  const shown = path.relative(projectRoot, stagesDir) || '.';
  return (
    `no stage config in ${shown}/. Create one for your shop: npm run init-stage -- --name prod ` +
    '--domain <your shop’s domain> --region <AWS region> --alert-email <address> ' +
    `(docs/deploy.md), or point STAGES_DIR (or -c stagesDir=…) at the folder that holds your stage files. ` +
    `The examples in ${EXAMPLES_DIR}/ are templates, not deployable stages.`
  );
}
