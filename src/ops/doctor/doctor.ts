import { checkEmail, checkSecrets, checkStack, checkTable } from './aws-checks';
import { checkCors } from './http-checks';
import type { CheckResult, DoctorDeps, DoctorStage } from './ports';
import { checkStripe } from './stripe-checks';

export type { CheckResult, DoctorDeps, DoctorStage } from './ports';

/**
 * Checks a deployed stage end to end, reading only: the stack and its table, the three secrets,
 * the Stripe key, webhook endpoint and prices, SES, and CORS for the shop's origins. Checks that
 * need what an earlier one could not provide (the API's URL, a usable key) are reported as skipped
 * rather than failing twice. Every result that is not a pass says what to do.
 */
export async function runDoctor(stage: DoctorStage, deps: DoctorDeps): Promise<CheckResult[]> {
  const [stack, table, secrets, email] = await Promise.all([
    checkStack(stage, deps),
    checkTable(stage, deps),
    checkSecrets(stage, deps),
    checkEmail(stage, deps),
  ]);
  const outputs = stack.stack?.outputs ?? {};
  const publicBase = stage.publicApiUrl?.replace(/\/*$/, '/');
  const apiUrl = publicBase ?? outputs.ApiUrl ?? null;
  const webhookUrl = publicBase ? `${publicBase}stripe/webhook` : (outputs.WebhookUrl ?? null);
  const results: CheckResult[] = [stack.result, table, ...secrets.results];
  if (outputs.TableName && outputs.TableName !== stage.tableName) {
    results.push({
      id: 'table',
      status: 'fail',
      summary: `the stack's table is ${outputs.TableName}, the stage file names ${stage.tableName}`,
      fix: 'deploy the stage file as it is now, or put the deployed name back into tableName',
    });
  }
  results.push(
    ...(secrets.stripeSecretKey
      ? await checkStripe(stage, deps, secrets.stripeSecretKey, webhookUrl)
      : [{ id: 'stripe', status: 'skip' as const, summary: 'needs a well-formed Stripe key in the secret' }]),
  );
  results.push(...email);
  results.push(
    ...(apiUrl
      ? await checkCors(stage, deps, apiUrl)
      : [{ id: 'cors', status: 'skip' as const, summary: 'needs the stack’s ApiUrl' }]),
  );
  return results;
}

const MARKS: Readonly<Record<CheckResult['status'], string>> = {
  pass: 'ok  ',
  warn: 'WARN',
  fail: 'FAIL',
  skip: 'skip',
};

/** The report for a terminal: one line per check, its fix under it, and a tally. */
export function formatDoctorReport(stage: DoctorStage, results: readonly CheckResult[]): string {
  const width = Math.max(...results.map((r) => r.id.length));
  const lines = [`Doctor: stage ${stage.stage} (${stage.stackName} in ${stage.region}), read-only`, ''];
  for (const result of results) {
    lines.push(`${MARKS[result.status]}  ${result.id.padEnd(width)}  ${result.summary}`);
    if (result.fix && result.status !== 'pass') lines.push(`${' '.repeat(width + 8)}→ ${result.fix}`);
  }
  const count = (status: CheckResult['status']) => results.filter((r) => r.status === status).length;
  lines.push(
    '',
    `${results.length} checks: ${count('pass')} ok, ${count('warn')} warning(s), ${count('fail')} failed, ${count('skip')} skipped.`,
  );
  return `${lines.join('\n')}\n`;
}

/** 1 when anything failed (warnings do not fail), for scripts and CI. */
export function doctorExitCode(results: readonly CheckResult[]): number {
  return results.some((r) => r.status === 'fail') ? 1 : 0;
}
