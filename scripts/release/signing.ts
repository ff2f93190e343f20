/**
 * The ad-hoc code signature darwin executables need after the SEA blob is injected: Apple silicon kills an
 * arm64 executable whose signature does not match its contents at start (pulumi-awsx #850), and injecting
 * invalidates the signature Node's own build carries. `rcodesign` (the apple-codesign crate from crates.io)
 * signs Mach-O files ad hoc on any operating system; Debian carries no `ldid`, and no npm package signs.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { cacheRoot } from "./node-runtime";

/** Where `cargo install apple-codesign --root <dir>` puts rcodesign when the release's cache is its root. */
export const cachedSignerRoot = (): string => path.join(cacheRoot(), "rcodesign");

/**
 * The rcodesign executable: $RCODESIGN, else `rcodesign` on PATH, else the one under the cache
 * (cachedSignerRoot()/bin). Undefined when there is none.
 */
export function findSigner(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.RCODESIGN) return env.RCODESIGN;
  for (const dir of (env.PATH ?? "").split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, "rcodesign");
    if (fs.existsSync(candidate)) return candidate;
  }
  const cached = path.join(cachedSignerRoot(), "bin", "rcodesign");
  return fs.existsSync(cached) ? cached : undefined;
}

export const missingSignerHelp = (): string =>
  "darwin executables need an ad-hoc code signature, made with rcodesign: install it once with\n" +
  `  cargo install apple-codesign --locked --root ${cachedSignerRoot()}\n` +
  "(or put rcodesign on PATH, or set RCODESIGN), or leave darwin out: --platforms linux-amd64,linux-arm64,windows-amd64";

/** Replaces `file`'s code signature with an ad-hoc one under `identifier`. Throws with rcodesign's output on failure. */
export function adhocSign(signer: string, file: string, identifier: string): void {
  execFileSync(signer, ["sign", "--binary-identifier", identifier, file], { stdio: ["ignore", "pipe", "pipe"] });
}
