import { existsSync } from 'node:fs';
import { startLocalStack } from './stack';

/** `npm start`: the local stack in one process, until Ctrl-C. */
async function main() {
  // A .env file (see .env.example) overrides the defaults; variables already set win.
  if (existsSync('.env')) process.loadEnvFile('.env');
  // Request logs are JSON lines; keep them readable and quiet unless asked for.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  const stack = await startLocalStack({
    announce: true,
    emulatorLog: (line) => console.log(`[stripe] ${line}`),
  });
  console.log('Local cart & checkout stack is running:\n');
  for (const line of stack.summary) console.log(`  ${line}`);
  console.log('\nTry:  curl -s -X POST -H "Content-Type: application/json" \\');
  console.log(`        -d '{"items":[{"sku":"TEE-CLASSIC-BLK-M","quantity":2}]}' ${stack.url}/cart/quote`);
  console.log('\nPaid orders:  npm run orders -- list');
  console.log('Ctrl-C stops it; data stays for the next start.');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    await stack.close();
    console.log('Stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(`Could not start the local stack: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
