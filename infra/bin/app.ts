import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../lib/build-app';
import { requireHandlers } from '../lib/handlers';
import { checkStageBeforeSynth } from '../lib/stage-checks';
import type { StageConfig } from '../lib/stage-config';
import { StageConfigError } from '../lib/stage-config';
import { loadSelectedStages, readStageSelection } from '../lib/stage-location';

/**
 * The CDK app. `npm run synth` (or `cdk synth`/`cdk deploy`, see cdk.json) runs this file.
 * Stages: the shop's stage files in `infra/stages/` (another folder: `-c stagesDir=…`,
 * `STAGES_DIR` or `--stages-dir=`); `-c stage=prod`, `STAGE=prod` or `--stage=prod` picks some
 * (comma-separated), all of the folder's by default. Offline: no AWS account, credentials or network
 * needed to synthesize.
 */
const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

async function main(): Promise<number> {
  let configs: StageConfig[];
  try {
    configs = loadSelectedStages(
      projectRoot,
      readStageSelection(projectRoot, { argv: process.argv, env: process.env }),
    );
  } catch (err: unknown) {
    if (err instanceof StageConfigError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
  // What CloudFormation would accept but the shop's first customer would hit: refuse it here.
  let refused = false;
  for (const config of configs) {
    const problems = await checkStageBeforeSynth(config, projectRoot);
    if (problems.length === 0) continue;
    refused = true;
    console.error(`Stage "${config.stage}" cannot be deployed as it is:\n  - ${problems.join('\n  - ')}`);
  }
  if (refused) return 1;
  const handlers = requireHandlers(projectRoot);
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

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
