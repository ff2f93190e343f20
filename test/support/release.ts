/**
 * The release the release suites test: `buildRelease` (scripts/release) run on a fresh clone of the checkout,
 * as `npm run release` runs from a clean checkout, all five platforms and the packages. Built once per
 * content of its inputs and cached outside the checkout (<cache>/test-release/<hash>/), so a warm `npm test`
 * does not rebuild it; a lock lets suites in parallel workers wait for one build instead of making two.
 */
import crypto from "node:crypto";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { cacheRoot } from "../../scripts/release/node-runtime";
import { buildRelease, Release } from "../../scripts/release/release";
import { freshClone, nodeBinDir, repoRoot } from "./consumer";

/** The files a release is made of: every tracked or new file under these paths. */
const inputs = ["src", "scripts", "bin", "package.json", "package-lock.json", "README.md", "LICENSE", "tsconfig.json", "tsconfig.build.json", "tools/pulumi-cli/go.mod"];

function inputsHash(): string {
  const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", ...inputs], { cwd: repoRoot, encoding: "utf8" })
    .split("\0")
    .filter((f) => f !== "" && fs.existsSync(path.join(repoRoot, f)))
    .sort();
  const hash = crypto.createHash("sha256");
  for (const f of files) hash.update(`${f}\0`).update(fs.readFileSync(path.join(repoRoot, f))).update("\0");
  return hash.digest("hex").slice(0, 16);
}

export interface TestRelease extends Release {
  /** The directory holding the release's files. */
  readonly dir: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The release of the checkout as it is now: built (about 3 minutes on 2 cores) or taken from the cache. */
export async function testRelease(): Promise<TestRelease> {
  const root = path.join(cacheRoot(), "test-release");
  const dir = path.join(root, inputsHash());
  const manifest = path.join(dir, "release.json");
  const lock = `${dir}.lock`;
  fs.mkdirSync(root, { recursive: true });
  for (;;) {
    if (fs.existsSync(manifest)) return { ...JSON.parse(fs.readFileSync(manifest, "utf8")), dir };
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      // Another worker builds it; a lock older than 20 minutes is a build that died.
      if (Date.now() - fs.statSync(lock).mtimeMs > 20 * 60_000) fs.rmSync(lock, { recursive: true, force: true });
      await sleep(2000);
    }
  }
  const clone = freshClone();
  const PATH = process.env.PATH;
  try {
    // The packages step runs npm and the SDK generators: with this Node first, and the CLI the suites use.
    process.env.PATH = [nodeBinDir, PATH].join(path.delimiter);
    fs.rmSync(dir, { recursive: true, force: true });
    const release = await buildRelease({ repoRoot: clone, out: dir, log: (l) => process.stderr.write(`test release: ${l}\n`) });
    fs.writeFileSync(manifest, JSON.stringify(release));
    // Builds of other inputs: other checkouts of the repository (worktrees) share this cache and may be using
    // theirs right now, so only those untouched for a day, and not being built, are removed.
    for (const old of fs.readdirSync(root)) {
      const entry = path.join(root, old);
      if (old === path.basename(dir) || old.endsWith(".lock") || fs.existsSync(`${entry}.lock`)) continue;
      if (Date.now() - fs.statSync(entry).mtimeMs > 24 * 3600_000) fs.rmSync(entry, { recursive: true, force: true });
    }
    return { ...release, dir };
  } finally {
    process.env.PATH = PATH;
    fs.rmSync(clone, { recursive: true, force: true });
    fs.rmSync(lock, { recursive: true, force: true });
  }
}
