/**
 * Builds a release: the plugin tarball of every platform (the standalone executable, README.md, LICENSE), the
 * SDK packages generated from the schema, this package's own npm tarball, and a SHA-256 checksum file naming
 * each of them. See docs/release.md.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { bundlePlugin } from "./bundle";
import { buildPackages } from "./packages";
import { nodeRuntime } from "./node-runtime";
import { injectBlob, seaBlob } from "./sea";
import { adhocSignMachO } from "./macho-sign";
import { gzipTar } from "./tar";
import { assetName, executableName, nodeVersion, Target, targetName, targets } from "./targets";

export interface ReleaseOptions {
  readonly repoRoot: string;
  /** The directory the release is written to (created if missing). */
  readonly out: string;
  /** The schema's pluginDownloadURL in the plugin and the SDKs; default: the one src/native/schema.json names. */
  readonly pluginDownloadURL?: string;
  /** The platforms to build; default all five. */
  readonly platforms?: readonly Target[];
  /** Build the SDK packages and this package's npm tarball too (default true). */
  readonly packages?: boolean;
  readonly log?: (line: string) => void;
}

export interface Release {
  readonly version: string;
  readonly pluginDownloadURL: string;
  /** File names in `out`, the checksum file last. */
  readonly files: readonly string[];
  readonly checksumFile: string;
}

/** The schema a release serves and generates SDKs from: src/native/schema.json with the package's version and the download URL. */
export function releaseSchema(repoRoot: string, pluginDownloadURL?: string): { version: string; pluginDownloadURL: string } & Record<string, unknown> {
  const schema = JSON.parse(fs.readFileSync(path.join(repoRoot, "src/native/schema.json"), "utf8"));
  const version: string = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")).version;
  const url = pluginDownloadURL ?? schema.pluginDownloadURL;
  if (typeof url !== "string" || !/^(https?|github):\/\//.test(url)) {
    throw new Error(`pluginDownloadURL must be an http(s):// or github:// URL, got ${JSON.stringify(url)}`);
  }
  return { ...schema, version, pluginDownloadURL: url };
}

export const checksumFileName = (version: string): string => `pulumi-resource-seam-v${version}-checksums.txt`;

/** Builds the release into options.out; resolves with what it wrote. Throws on the first step that fails. */
export async function buildRelease(options: ReleaseOptions): Promise<Release> {
  const log = options.log ?? (() => {});
  const platforms = options.platforms ?? targets;
  const schema = releaseSchema(options.repoRoot, options.pluginDownloadURL);

  fs.mkdirSync(options.out, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "seam-release-"));
  const files: string[] = [];
  try {
    const script = path.join(work, "pulumi-resource-seam.js");
    log("bundling src/native/main.ts");
    await bundlePlugin({ repoRoot: options.repoRoot, outfile: script, schema });
    const blob = seaBlob(script, work, Number(nodeVersion.split(".")[0]));
    const readme = fs.readFileSync(path.join(options.repoRoot, "README.md"));
    const license = fs.readFileSync(path.join(options.repoRoot, "LICENSE"));
    for (const t of platforms) {
      const exe = path.join(work, targetName(t), executableName(t));
      fs.mkdirSync(path.dirname(exe));
      log(`${targetName(t)}: injecting into Node.js ${t.runtimeVersion}`);
      await injectBlob(nodeRuntime(t, log), blob, exe, t.os === "darwin");
      if (t.os === "darwin") fs.writeFileSync(exe, adhocSignMachO(fs.readFileSync(exe), "pulumi-resource-seam"));
      const name = assetName(schema.version, t);
      fs.writeFileSync(
        path.join(options.out, name),
        gzipTar([
          { name: executableName(t), data: fs.readFileSync(exe), mode: 0o755 },
          { name: "README.md", data: readme, mode: 0o644 },
          { name: "LICENSE", data: license, mode: 0o644 },
        ]),
      );
      files.push(name);
    }
    if (options.packages ?? true) {
      const schemaFile = path.join(work, "schema.json");
      fs.writeFileSync(schemaFile, `${JSON.stringify(schema, null, 2)}\n`);
      files.push(...buildPackages(options.repoRoot, schemaFile, work, options.out, log));
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }

  const checksumFile = checksumFileName(schema.version);
  const lines = files.map((f) => `${crypto.createHash("sha256").update(fs.readFileSync(path.join(options.out, f))).digest("hex")}  ${f}\n`);
  fs.writeFileSync(path.join(options.out, checksumFile), lines.join(""));
  return { version: schema.version, pluginDownloadURL: schema.pluginDownloadURL, files: [...files, checksumFile], checksumFile };
}
