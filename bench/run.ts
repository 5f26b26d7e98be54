/**
 * `npm run bench`: one printed report of the project's speed figures. Not part of `npm test`:
 * machines are noisy, so figures are printed, never asserted.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

const { runPricingBench } = await import('./pricing');
const { runQuoteLatencyBench } = await import('./quote-latency');
const { runBundleSizeBench } = await import('./bundle-size');

const sections: [string, () => Promise<string>][] = [
  ['Pricing engine (priceCart)', runPricingBench],
  ['Quote endpoint', runQuoteLatencyBench],
  ['Handler bundles', () => runBundleSizeBench()],
];

console.log(`Benchmarks — Node ${process.version}, ${process.platform}/${process.arch}\n`);
for (const [title, run] of sections) {
  console.log(`## ${title}\n`);
  console.log(`${await run()}\n`);
}

export {};
