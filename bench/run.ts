/**
 * `npm run bench`: one printed report of the project's speed and cost figures. Not part of
 * `npm test`: machines are noisy, so figures are printed, never asserted.
 *
 *   npm run bench                          every section, as text
 *   npm run bench -- --only cold-start     the named sections (comma-separated ids)
 *   npm run bench -- --json                the sections that have figures for tracking, as one JSON document
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

const { cpus } = await import('node:os');
const { parseArgs } = await import('node:util');
const { coldStartJson, coldStartText, measureColdStarts } = await import('./cold-start');
const { runBundleSizeBench } = await import('./bundle-size');
const { runWarmLatencyBench } = await import('./warm-latency');
const { runQuoteLatencyBench } = await import('./quote-latency');
const { runCostBench } = await import('./cost');
const { runPricingBench } = await import('./pricing');

interface Section {
  readonly id: string;
  readonly title: string;
  /** Its figures as text. */
  readonly text: () => Promise<string>;
  /** Its figures as JSON, for sections tracked over time. */
  readonly json?: () => Promise<unknown>;
}

const progress = (line: string) => process.stderr.write(`${line}\n`);

const SECTIONS: readonly Section[] = [
  {
    id: 'cold-start',
    title: 'Cold start',
    text: async () => coldStartText(await measureColdStarts(progress)),
    json: async () => coldStartJson(await measureColdStarts(progress)),
  },
  { id: 'bundles', title: 'Handler bundles', text: () => runBundleSizeBench() },
  { id: 'warm-latency', title: 'Warm latency, every route', text: runWarmLatencyBench },
  { id: 'quote', title: 'Quote endpoint', text: runQuoteLatencyBench },
  { id: 'cost', title: 'Cost per call, per 10,000 quotes and per 1,000 paid orders', text: runCostBench },
  { id: 'pricing', title: 'Pricing engine (priceCart)', text: runPricingBench },
];

const { values } = parseArgs({
  options: { json: { type: 'boolean', default: false }, only: { type: 'string' } },
  strict: true,
});
const only = values.only?.split(',').map((id) => id.trim());
const unknown = only?.filter((id) => !SECTIONS.some((s) => s.id === id)) ?? [];
if (unknown.length > 0) {
  console.error(
    `unknown section(s): ${unknown.join(', ')}; sections: ${SECTIONS.map((s) => s.id).join(', ')}`,
  );
  process.exit(2);
}
const chosen = SECTIONS.filter((s) => !only || only.includes(s.id));

const cpu = cpus();
const machine = {
  node: process.version,
  platform: `${process.platform}/${process.arch}`,
  cpus: cpu.length,
  cpuModel: cpu[0]?.model ?? 'CPU',
};

if (values.json) {
  const tracked = chosen.filter((s) => s.json);
  const skipped = chosen.filter((s) => !s.json).map((s) => s.id);
  if (skipped.length > 0) progress(`(no JSON figures for: ${skipped.join(', ')}; left out)`);
  const sections: Record<string, unknown> = {};
  for (const section of tracked) {
    progress(`## ${section.title}`);
    sections[section.id] = await section.json?.();
  }
  console.log(JSON.stringify({ ...machine, measuredAt: new Date().toISOString(), sections }, null, 2));
} else {
  console.log(
    `Benchmarks — Node ${machine.node}, ${machine.platform}, ${machine.cpus} × ${machine.cpuModel}\n`,
  );
  for (const section of chosen) {
    const started = performance.now();
    console.log(`## ${section.title}\n`);
    console.log(`${await section.text()}\n`);
    console.log(`(${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
  }
}

export {};
