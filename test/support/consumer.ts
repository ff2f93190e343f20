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

/**
 * `npm pack` of a fresh clone: the checkout's files as git has them (tracked, and new files not
 * ignored; so no dist/), packed in a copy whose only addition is the checkout's node_modules (the
 * build tools a clone gets from `npm ci`). The package's `prepare` script must build the code, or
 * every suite that installs this tarball fails. Returns the tarball's path.
 */
export function npmPack(into: string): string {
  const clone = freshClone();
  try {
    const out = execFileSync("npm", ["pack", "--silent", "--pack-destination", into], {
      cwd: clone,
      encoding: "utf8",
      env: { ...process.env, PATH: `${nodeBinDir}${path.delimiter}${process.env.PATH}` },
    });
    return path.join(into, out.trim().split("\n").at(-1)!);
  } finally {
    fs.rmSync(clone, { recursive: true, force: true });
  }
}

/** A copy of the checkout as a clone has it (what `git ls-files` lists, as in the working tree), plus a link to node_modules. */
export function freshClone(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "seam-acs-clone-"));
  const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: repoRoot, encoding: "utf8" })
    .split("\0")
    .filter((f) => f !== "" && fs.existsSync(path.join(repoRoot, f)));
  for (const file of files) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.copyFileSync(path.join(repoRoot, file), path.join(dir, file));
  }
  fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(dir, "node_modules"), "dir");
  return dir;
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
