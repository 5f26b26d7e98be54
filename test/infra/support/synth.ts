import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../../infra/lib/build-app';
import { HANDLERS, type HandlerName } from '../../../infra/lib/handlers';
import { loadStageConfig, type StageConfig } from '../../../infra/lib/stage-config';
import { createFixtureProject } from './fixture-project';

/** The example stages (`prod`, `dev`) of a made-up shop at shop.example.com: what tests synthesize. */
export const CONFIG_DIR = path.resolve(import.meta.dirname, '../../../infra/examples');

export interface SynthesizedStage {
  readonly config: StageConfig;
  /** The stack's template as CloudFormation will receive it. */
  readonly template: Template;
  /** The raw template JSON, for checks that walk every resource. */
  readonly json: CloudFormationTemplate;
  /** Folder of the cloud assembly (bundled assets live in `asset.<hash>/`). */
  readonly outdir: string;
}

/** A value read from template JSON: as loosely typed as `aws-cdk-lib/assertions` hands it out. */
export type CfnJson = ReturnType<Template['toJSON']>[string];

export interface CloudFormationTemplate {
  readonly Resources: Record<string, { Type: string; Properties?: CfnJson; [k: string]: CfnJson }>;
  readonly Outputs?: Record<string, { Value: CfnJson }>;
}

export interface Synthesis {
  readonly stages: ReadonlyMap<string, SynthesizedStage>;
  stage(name: string): SynthesizedStage;
  cleanup(): void;
}

/**
 * Synthesizes the real CDK app (cdk-nag included: a finding throws) for the given stage configs,
 * with placeholder handlers for `handlers` in a temporary project. Slow-ish (esbuild bundles each
 * function), so a test file does this once and shares the result.
 */
export function synthesize(
  configs: readonly StageConfig[],
  handlers: readonly HandlerName[] = HANDLERS.map((h) => h.name),
): Synthesis {
  const project = createFixtureProject(handlers);
  const outdir = mkdtempSync(path.join(tmpdir(), 'infra-cdk-out-'));
  try {
    const specs = HANDLERS.filter((h) => handlers.includes(h.name));
    const { stacks, assembly } = withoutBundlingNotes(() => {
      const built = buildApp({ configs, projectRoot: project.root, outdir, handlers: specs });
      return { stacks: built.stacks, assembly: built.app.synth() };
    });
    const stages = new Map<string, SynthesizedStage>();
    stacks.forEach((stack, index) => {
      const json = assembly.getStackArtifact(stack.artifactId).template as CloudFormationTemplate;
      stages.set(configs[index]!.stage, {
        config: configs[index]!,
        template: Template.fromJSON(json as unknown as Record<string, unknown>),
        json,
        outdir,
      });
    });
    return {
      stages,
      stage: (name) => {
        const found = stages.get(name);
        if (!found) throw new Error(`stage ${name} was not synthesized`);
        return found;
      },
      cleanup: () => {
        project.remove();
        rmSync(outdir, { recursive: true, force: true });
      },
    };
  } catch (err: unknown) {
    project.remove();
    rmSync(outdir, { recursive: true, force: true });
    throw err;
  }
}

/** An example stage config, optionally changed, e.g. to switch the API mode. */
export function stageConfig(stage: string, changes: Partial<StageConfig> = {}): StageConfig {
  return { ...loadStageConfig(CONFIG_DIR, stage), ...changes };
}

/**
 * Runs `work` without CDK's "Bundling asset …" progress lines on stderr (it writes them directly,
 * with no option to turn them off), so the test output shows only what the tests say.
 */
export function withoutBundlingNotes<T>(work: () => T): T {
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) =>
    typeof chunk === 'string' && chunk.startsWith('Bundling asset ')
      ? true
      : write(chunk, ...(rest as []))) as typeof process.stderr.write;
  try {
    return work();
  } finally {
    process.stderr.write = write;
  }
}
