/**
 * Provides each platform's Node.js executable from the npm registry: `npm pack <package>@<version>`
 * (the registry's integrity check applies), the one executable taken out of the tarball and kept in a
 * cache outside the checkout, so only the first release on a machine downloads (about 45 MB a platform).
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { readGzipTar } from "./tar";
import type { Target } from "./targets";

/** The cache root: $PULUMI_SEAM_ACS_CACHE, else $XDG_CACHE_HOME/pulumi-seam-acs, else ~/.cache/pulumi-seam-acs (as scripts/pulumi-cli.sh). */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.PULUMI_SEAM_ACS_CACHE ?? path.join(env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "pulumi-seam-acs");
}

/**
 * The path of `target`'s Node.js executable, fetched with npm into the cache on first use.
 * Throws with npm's output when the package cannot be fetched, or when its tarball has no executable at the expected path.
 */
export function nodeRuntime(target: Target, log: (line: string) => void = () => {}): string {
  const dir = path.join(cacheRoot(), "node-runtimes", `${target.runtimePackage}-${target.runtimeVersion}`);
  const exe = path.join(dir, path.basename(target.runtimePath));
  if (fs.existsSync(exe)) return exe;
  fs.mkdirSync(dir, { recursive: true });
  const spec = `${target.runtimePackage}@${target.runtimeVersion}`;
  log(`fetching ${spec} from the npm registry`);
  const tmp = fs.mkdtempSync(path.join(dir, ".pack-"));
  try {
    const packed = execFileSync("npm", ["pack", spec, "--pack-destination", tmp, "--silent"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })
      .trim()
      .split("\n")
      .pop()!;
    const entry = readGzipTar(fs.readFileSync(path.join(tmp, packed))).find((e) => e.name === target.runtimePath);
    if (!entry) throw new Error(`${spec}: no ${target.runtimePath} in its tarball`);
    // Written under a temporary name, then renamed: a build interrupted midway leaves no half executable behind.
    fs.writeFileSync(`${exe}.partial`, entry.data, { mode: 0o755 });
    fs.renameSync(`${exe}.partial`, exe);
    return exe;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
