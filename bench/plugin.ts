/**
 * `npm run bench -- --plugin`: the released plugin's size per platform, and its start (from spawn to the answer
 * of GetPluginInfo, the engine's first call) for the standalone linux-amd64 executable against the Node.js-script
 * form (bin/pulumi-resource-seam under this Node), the median of several starts each. The release is the tests'
 * (test/support/release.ts: built from a fresh clone, or taken from its cache).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { readGzipTar } from "../scripts/release/tar";
import { targets, targetName, assetName, executableName } from "../scripts/release/targets";
import { repoRoot } from "../test/support/consumer";
import { NativePlugin } from "../test/support/native-plugin";
import { testRelease } from "../test/support/release";

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** Milliseconds from spawning `executable` to its answer to GetPluginInfo, `runs` times; the median and the first. */
async function startTimes(executable: string, env: NodeJS.ProcessEnv, runs: number): Promise<{ median: number; first: number }> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const plugin = await NativePlugin.start(env, undefined, executable);
    await plugin.version();
    times.push(performance.now() - started);
    plugin.stop();
  }
  const sorted = [...times].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)]!, first: times[0]! };
}

/** The plugin's rows (markdown), after building or finding the release. */
export async function pluginRows(runs = 7): Promise<string[]> {
  const started = performance.now();
  const release = await testRelease();
  const releaseSeconds = (performance.now() - started) / 1000;
  const rows = ["| platform | tarball | executable (Node.js inside) |", "|---|---|---|"];
  let linux: Buffer | undefined;
  for (const t of targets) {
    const tarball = path.join(release.dir, assetName(release.version, t));
    const exe = readGzipTar(fs.readFileSync(tarball)).find((e) => e.name === executableName(t))!.data;
    if (targetName(t) === "linux-amd64") linux = exe;
    rows.push(`| ${targetName(t)} | ${mb(fs.statSync(tarball).size)} | ${mb(exe.length)} |`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "seam-acs-bench-plugin-"));
  try {
    const exe = path.join(dir, "pulumi-resource-seam");
    fs.writeFileSync(exe, linux!, { mode: 0o755 });
    const binary = await startTimes(exe, { PATH: path.join(dir, "empty") }, runs);
    const script = await startTimes(path.join(repoRoot, "bin/pulumi-resource-seam"), { PATH: path.dirname(process.execPath) }, runs);
    rows.push(
      "",
      `| plugin form (linux-amd64) | start to GetPluginInfo, median of ${runs} | first start |`,
      "|---|---|---|",
      `| standalone executable (SEA, Node.js ${process.versions.node} inside) | ${binary.median.toFixed(0)} ms | ${binary.first.toFixed(0)} ms |`,
      `| Node.js script, bin/pulumi-resource-seam (dist/, node_modules) | ${script.median.toFixed(0)} ms | ${script.first.toFixed(0)} ms |`,
      "",
      `Release ${releaseSeconds > 5 ? `built in ${releaseSeconds.toFixed(0)} s` : "taken from the cache"} (${release.dir}).`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
