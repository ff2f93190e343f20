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

/** CPU milliseconds (user + system) a process has used so far, from /proc (Linux; undefined elsewhere). */
function cpuMs(pid: number): number | undefined {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return undefined;
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * From spawning `executable` to its answer to GetPluginInfo, `runs` times: the median wall time, the first one's,
 * and the median CPU time the plugin used by then (steadier than wall time on a busy machine).
 */
async function startTimes(executable: string, env: NodeJS.ProcessEnv, runs: number): Promise<{ median: number; first: number; cpu?: number }> {
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const plugin = await NativePlugin.start(env, undefined, executable);
    await plugin.version();
    times.push(performance.now() - started);
    const used = cpuMs(plugin.pid);
    if (used !== undefined) cpu.push(used);
    plugin.stop();
  }
  return { median: median(times), first: times[0]!, cpu: cpu.length ? median(cpu) : undefined };
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
      `| plugin form (linux-amd64) | start to GetPluginInfo, median of ${runs} | first start | CPU used by then, median |`,
      "|---|---|---|---|",
      `| standalone executable (SEA, Node.js ${process.versions.node} inside) | ${binary.median.toFixed(0)} ms | ${binary.first.toFixed(0)} ms | ${binary.cpu?.toFixed(0) ?? "–"} ms |`,
      `| Node.js script, bin/pulumi-resource-seam (dist/, node_modules) | ${script.median.toFixed(0)} ms | ${script.first.toFixed(0)} ms | ${script.cpu?.toFixed(0) ?? "–"} ms |`,
      "",
      `Load average while measured: ${os.loadavg().map((l) => l.toFixed(1)).join(", ")} on ${os.cpus().length} cores.`,
      "",
      `Release ${releaseSeconds > 5 ? `built in ${releaseSeconds.toFixed(0)} s` : "taken from the cache"} (${release.dir}).`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
