/**
 * `npm run bench`: one printed report of the project's speed and cost figures. Not part of
 * `npm test`: machines are noisy, so figures are printed, never asserted.
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

const { cpus } = await import('node:os');
const { runColdStartBench } = await import('./cold-start');
const { runBundleSizeBench } = await import('./bundle-size');
const { runWarmLatencyBench } = await import('./warm-latency');
const { runQuoteLatencyBench } = await import('./quote-latency');
const { runCostBench } = await import('./cost');
const { runPricingBench } = await import('./pricing');

const sections: [string, () => Promise<string>][] = [
  ['Cold start', runColdStartBench],
  ['Handler bundles', () => runBundleSizeBench()],
  ['Warm latency, every route', runWarmLatencyBench],
  ['Quote endpoint', runQuoteLatencyBench],
  ['Cost per call, per 10,000 quotes and per 1,000 paid orders', runCostBench],
  ['Pricing engine (priceCart)', runPricingBench],
];

const cpu = cpus();
console.log(
  `Benchmarks — Node ${process.version}, ${process.platform}/${process.arch}, ${cpu.length} × ${cpu[0]?.model ?? 'CPU'}\n`,
);
for (const [title, run] of sections) {
  const started = performance.now();
  console.log(`## ${title}\n`);
  console.log(`${await run()}\n`);
  console.log(`(${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
}

export {};
