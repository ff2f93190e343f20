/**
 * Turns the bundled plugin into one executable per platform with Node's single executable applications
 * (SEA): the build's own Node.js writes the preparation blob once (`--experimental-sea-config`; without a
 * snapshot or code cache the blob holds only the script, so one blob serves every platform), and
 * `postject` injects it into a copy of each platform's Node.js executable from the npm registry.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

/** The fuse Node checks to know it carries a SEA blob (Node's documentation, "Single executable applications"). */
const seaFuse = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2";

/**
 * Writes the SEA preparation blob for `script` (one CommonJS file) into `dir`, with this process's Node.js,
 * which must be the major version the executables embed (the blob format is read by that Node). Returns the blob's path.
 */
export function seaBlob(script: string, dir: string, nodeMajor: number): string {
  const have = Number(process.versions.node.split(".")[0]);
  if (have !== nodeMajor) throw new Error(`the release must run on Node.js ${nodeMajor} (the runtime it embeds), not ${process.versions.node}: run it through npm (npm run release), which puts the repository's Node.js first`);
  if (path.dirname(path.resolve(script)) !== path.resolve(dir)) throw new Error(`the script must be in ${dir}`);
  // Paths relative to `dir`: the blob records the script's name, and a temporary directory's would make every
  // build's bytes differ.
  fs.writeFileSync(
    path.join(dir, "sea-config.json"),
    JSON.stringify({ main: path.basename(script), output: "sea-prep.blob", disableExperimentalSEAWarning: true, useSnapshot: false, useCodeCache: false }),
  );
  execFileSync(process.execPath, ["--experimental-sea-config", "sea-config.json"], { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  return path.join(dir, "sea-prep.blob");
}

/**
 * Copies `runtime` (a platform's node executable) to `out` and injects `blob` into it. Mach-O executables
 * get the blob in their own segment (NODE_SEA), as Node expects; their code signature is then invalid and
 * must be replaced (signing.ts).
 */
export async function injectBlob(runtime: string, blob: string, out: string, macho: boolean): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { inject } = require("postject") as { inject: (file: string, name: string, data: Buffer, options: object) => Promise<void> };
  fs.copyFileSync(runtime, out);
  fs.chmodSync(out, 0o755);
  // postject reports progress on stdout and LIEF's notices on stderr (about Node's ELF notes and the Windows
  // signature it invalidates, all expected): a release prints them only when the injection fails.
  // (Its WebAssembly module writes through console.log/console.warn, which a test runner may capture itself.)
  const [stdout, stderr, consoleLog, consoleWarn] = [process.stdout.write, process.stderr.write, console.log, console.warn];
  let said = "";
  const keep = ((chunk: string | Uint8Array) => ((said += String(chunk)), true)) as typeof process.stdout.write;
  process.stdout.write = keep;
  process.stderr.write = keep;
  console.log = console.warn = (...args: unknown[]) => void (said += `${args.join(" ")}\n`);
  try {
    await inject(out, "NODE_SEA_BLOB", fs.readFileSync(blob), { sentinelFuse: seaFuse, ...(macho ? { machoSegmentName: "NODE_SEA" } : {}) });
  } catch (e) {
    throw new Error(`postject could not inject into ${out}: ${e instanceof Error ? e.message : String(e)}\n${said}`);
  } finally {
    process.stdout.write = stdout;
    process.stderr.write = stderr;
    console.log = consoleLog;
    console.warn = consoleWarn;
  }
}
