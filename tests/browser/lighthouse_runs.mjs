// Lighthouse on several pages, one after another, in one node process: loading Lighthouse costs node about as
// much as a run, so lighthouse_scores.py starts this once for all its pages rather than the CLI once per page.
//     node lighthouse_runs.mjs PORT CONFIG.json OUT_DIR URL...
// PORT: the DevTools port of a running Chromium; CONFIG: lighthouse.json (as the CLI's --config-path reads it).
// Writes OUT_DIR/<n>.json, the report of the n-th URL (the JSON the CLI's --output=json writes), and its seconds
// in OUT_DIR/<n>.seconds. Exits non-zero, saying which URL, when a run fails.
import {readFileSync, writeFileSync} from "node:fs";
import lighthouse from "lighthouse";

const [port, configPath, outDir, ...urls] = process.argv.slice(2);
const config = JSON.parse(readFileSync(configPath, "utf-8"));
for (const [n, url] of urls.entries()) {
  const started = performance.now();
  const result = await lighthouse(url, {port: Number(port), output: "json", logLevel: "error"}, config);
  const lhr = result?.lhr;
  if (!lhr || lhr.runtimeError) {
    console.error(`${url}: ${lhr?.runtimeError?.message ?? "no report"}`);
    process.exit(1);
  }
  writeFileSync(`${outDir}/${n}.json`, result.report);
  writeFileSync(`${outDir}/${n}.seconds`, String((performance.now() - started) / 1000));
}
