/**
 * A throwaway consumer project with this package installed from its `npm pack` tarball, as a
 * user installs it, so tests see what the engine sees: the package under node_modules.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/** The checkout: the nearest folder above this file holding this package (also from bench/'s compiled copy). */
export const repoRoot = ((): string => {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, "utf8")).name === "pulumi-seam-acs") return dir;
  }
  throw new Error(`no pulumi-seam-acs checkout above ${__dirname}`);
})();

const pulumiVersion: string = require("@pulumi/pulumi/package.json").version;

/** The directory of `node` (Node 22) running these tests, to put first on a child's PATH. */
export const nodeBinDir = path.dirname(process.execPath);

export function npmPack(into: string): string {
  const out = execFileSync("npm", ["pack", "--silent", "--pack-destination", into], { cwd: repoRoot, encoding: "utf8" });
  return path.join(into, out.trim().split("\n").at(-1)!);
}

/** Makes a directory with package.json and node_modules holding the packed package and @pulumi/pulumi. */
export function makeConsumer(name: string, tarball: string = npmPack(fs.mkdtempSync(path.join(os.tmpdir(), "seam-acs-pack-")))): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `seam-acs-${name}-`));
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name, private: true }, null, 2));
  execFileSync(
    "npm",
    ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", tarball, `@pulumi/pulumi@${pulumiVersion}`],
    { cwd: dir, stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, PATH: `${nodeBinDir}${path.delimiter}${process.env.PATH}` } },
  );
  return dir;
}
