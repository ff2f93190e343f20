/**
 * The packages a release carries besides the plugin: the SDKs generated from the release's schema (the
 * TypeScript SDK's npm tarball, the Python wheel `pulumi_seam`) and this package's own npm tarball. The Go SDK
 * is not built here: it is committed under sdk/go (scripts/gen-go-sdk.sh), so `go get` of a tag finds it.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

/** Runs a command, returning its stdout; throws with its output when it fails. */
function sh(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  try {
    return execFileSync(cmd, args, { cwd, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(" ")} failed in ${cwd}:\n${err.stdout ?? ""}${err.stderr ?? err.message}`);
  }
}

/** The last line of npm pack's output: the tarball's file name. */
const packed = (stdout: string) => stdout.trim().split("\n").pop()!.trim();

/**
 * Generates the TypeScript and Python SDKs from `schemaFile` into `work`, builds them, and writes their
 * packages, and this package's npm tarball, into `out`. Returns the file names written.
 */
export function buildPackages(repoRoot: string, schemaFile: string, work: string, out: string, log: (line: string) => void): string[] {
  const files: string[] = [];
  const sdk = path.join(work, "sdk");
  log("generating the TypeScript and Python SDKs (scripts/gen-sdk.sh)");
  sh("bash", [path.join(repoRoot, "scripts/gen-sdk.sh"), "--out", sdk, "--schema", schemaFile, "nodejs", "python"], repoRoot);

  // TypeScript: compiled with the repository's TypeScript against its @pulumi/pulumi, packed from bin/ as
  // Pulumi's providers publish theirs (compiled code with package.json, README and LICENSE at the root).
  log("building the TypeScript SDK's npm package");
  const nodejs = path.join(sdk, "nodejs");
  fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(nodejs, "node_modules"), "junction");
  sh(process.execPath, [path.join(repoRoot, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"], nodejs);
  const bin = path.join(nodejs, "bin");
  const manifest = JSON.parse(fs.readFileSync(path.join(nodejs, "package.json"), "utf8"));
  delete manifest.scripts;
  delete manifest.devDependencies;
  fs.writeFileSync(path.join(bin, "package.json"), `${JSON.stringify({ ...manifest, main: "index.js", types: "index.d.ts" }, null, 2)}\n`);
  for (const f of ["README.md", "LICENSE"]) fs.copyFileSync(path.join(repoRoot, f), path.join(bin, f));
  files.push(packed(sh("npm", ["pack", "--pack-destination", out, "--silent"], bin)));

  log("building the Python wheel (scripts/python-sdk.sh)");
  files.push(path.basename(sh("bash", [path.join(repoRoot, "scripts/python-sdk.sh"), "--out", out, "--sdk", path.join(sdk, "python")], repoRoot).trim()));

  log("packing this package (npm pack)");
  files.push(packed(sh("npm", ["pack", "--pack-destination", out, "--silent"], repoRoot)));
  return files;
}
