import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../lib/build-app';
import { selectAvailableHandlers } from '../lib/handlers';
import { listStages, loadStageConfig, type StageConfig, StageConfigError } from '../lib/stage-config';

/**
 * The CDK app. `npm run synth` (or `cdk synth`/`cdk deploy`, see cdk.json) runs this file.
 * Stages: `--context stage=prod` or `STAGE=prod` (comma-separated for several); all configured
 * stages by default. Offline: no AWS account, credentials or network needed to synthesize.
 */
const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const configDir = path.join(projectRoot, 'infra/config');

function requestedStages(): string[] {
  const fromArgs = process.argv.find((arg) => arg.startsWith('--stage='))?.slice('--stage='.length);
  const fromContext = readContextStage();
  const raw = fromArgs ?? fromContext ?? process.env.STAGE;
  return raw
    ? raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : listStages(configDir);
}

/** The CDK CLI passes `--context` values to the app through this variable. */
function readContextStage(): string | undefined {
  const json = process.env.CDK_CONTEXT_JSON;
  if (!json) return undefined;
  const stage = (JSON.parse(json) as Record<string, unknown>).stage;
  return typeof stage === 'string' ? stage : undefined;
}

function main(): number {
  let configs: StageConfig[];
  try {
    configs = requestedStages().map((stage) => loadStageConfig(configDir, stage));
  } catch (err: unknown) {
    if (err instanceof StageConfigError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
  const handlers = selectAvailableHandlers(projectRoot);
  const started = performance.now();
  const outdir = process.env.CDK_OUTDIR ?? path.join(projectRoot, 'cdk.out');
  const { app, stacks } = buildApp({ configs, projectRoot, outdir });
  try {
    const assembly = app.synth();
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.error(
      `Synthesized ${stacks.map((s) => s.stackName).join(', ')} into ${assembly.directory} in ${seconds} s ` +
        `with handlers: ${handlers.map((h) => h.name).join(', ') || 'none yet (no API)'}; cdk-nag AwsSolutions: no unacknowledged findings.`,
    );
    return 0;
  } catch (err: unknown) {
    // cdk-nag findings arrive as a validation report; CDK has already printed it.
    console.error(`Synthesis failed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

process.exitCode = main();
