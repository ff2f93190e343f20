/**
 * What `npm run release` writes (scripts/release, built from a fresh clone by test/support/release.ts): the
 * plugin tarball of each platform under the engine's asset name, holding exactly the standalone executable,
 * README.md and LICENSE; each executable of its platform's format and processor, carrying the SEA blob; darwin
 * executables signed ad hoc with hashes that match; the checksum file; the SDK and npm packages; and the
 * linux-amd64 plugin answering the protocol with no Node.js anywhere on its PATH.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { readGzipTar } from "../scripts/release/tar";
import { executableKind, machOSignature } from "./support/executable-headers";
import { repoRoot } from "./support/consumer";
import { NativePlugin } from "./support/native-plugin";
import { testRelease, TestRelease } from "./support/release";

let release: TestRelease;
beforeAll(async () => {
  release = await testRelease();
}, 900_000);

const version: string = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")).version;
const platforms = [
  { name: "linux-amd64", exe: "pulumi-resource-seam", format: "ELF", arch: "amd64" },
  { name: "linux-arm64", exe: "pulumi-resource-seam", format: "ELF", arch: "arm64" },
  { name: "darwin-amd64", exe: "pulumi-resource-seam", format: "Mach-O", arch: "amd64" },
  { name: "darwin-arm64", exe: "pulumi-resource-seam", format: "Mach-O", arch: "arm64" },
  { name: "windows-amd64", exe: "pulumi-resource-seam.exe", format: "PE", arch: "amd64" },
] as const;
const asset = (platform: string) => `pulumi-resource-seam-v${version}-${platform}.tar.gz`;
const unpacked = new Map<string, ReturnType<typeof readGzipTar>>();
/** The tarball's entries (read once: each is about 45 MB to gunzip). */
function entries(platform: string) {
  if (!unpacked.has(platform)) unpacked.set(platform, readGzipTar(fs.readFileSync(path.join(release.dir, asset(platform)))));
  return unpacked.get(platform)!;
}

test("the release's files: a tarball per platform, the SDK packages, this package, the checksum file", () => {
  expect([...release.files].sort()).toEqual(
    [
      ...platforms.map((p) => asset(p.name)),
      `pulumi-seam-acs-seam-${version}.tgz`,
      `pulumi_seam-${version}-py3-none-any.whl`,
      `pulumi-seam-acs-${version}.tgz`,
      `pulumi-resource-seam-v${version}-checksums.txt`,
    ].sort(),
  );
  for (const f of release.files) expect(fs.existsSync(path.join(release.dir, f))).toBe(true);
});

describe.each(platforms)("$name", (p) => {
  test(`holds ${p.exe}, README.md and LICENSE at its root; the executable is ${p.format} for ${p.arch}, with Node's SEA blob, at most 60 MB packed`, () => {
    const files = entries(p.name);
    expect(files.map((e) => [e.name, e.type, e.mode.toString(8)])).toEqual([
      [p.exe, "0", "755"],
      ["README.md", "0", "644"],
      ["LICENSE", "0", "644"],
    ]);
    expect(files[1]!.data.equals(fs.readFileSync(path.join(repoRoot, "README.md")))).toBe(true);
    expect(files[2]!.data.toString()).toMatch(/^MIT License/);
    const exe = files[0]!.data;
    expect(executableKind(exe)).toEqual({ format: p.format, arch: p.arch });
    // Node starts the embedded script only when the fuse is flipped to :1 (postject does it on injection).
    expect(exe.includes("NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2:1")).toBe(true);
    expect(exe.includes("github://api.github.com/pulumi-seam-acs/pulumi-seam-acs")).toBe(true);
    expect(fs.statSync(path.join(release.dir, asset(p.name))).size).toBeLessThanOrEqual(60 * 1024 * 1024);
    if (p.format === "Mach-O") {
      const sig = machOSignature(exe);
      expect(sig).toMatchObject({ adhoc: true, identifier: "pulumi-resource-seam", mismatch: undefined, codeLimit: sig.signatureOffset, linkeditEnd: sig.fileLength });
      expect(sig.pagesChecked).toBe(Math.ceil(sig.codeLimit / 4096));
    }
  });
});

test("a changed byte in a signed darwin executable is a hash mismatch (the check above can fail)", () => {
  const exe = Buffer.from(entries("darwin-arm64")[0]!.data);
  exe[5000]! ^= 0xff;
  expect(machOSignature(exe).mismatch).toBe(1);
});

test("the checksum file names every other file of the release with its SHA-256", () => {
  const text = fs.readFileSync(path.join(release.dir, release.checksumFile), "utf8");
  const listed = text.trimEnd().split("\n").map((l) => /^([0-9a-f]{64}) {2}(\S+)$/.exec(l)!.slice(1));
  expect(listed.map(([, f]) => f).sort()).toEqual(release.files.filter((f) => f !== release.checksumFile).sort());
  for (const [sum, f] of listed) expect(crypto.createHash("sha256").update(fs.readFileSync(path.join(release.dir, f!))).digest("hex")).toBe(sum);
});

test("the TypeScript SDK package is compiled, names the plugin's version and download URL; the wheel is pulumi_seam", () => {
  const sdk = readGzipTar(fs.readFileSync(path.join(release.dir, `pulumi-seam-acs-seam-${version}.tgz`)));
  const names = sdk.map((e) => e.name);
  for (const f of ["package/index.js", "package/index.d.ts", "package/accessGroupRoster.js", "package/LICENSE", "package/README.md"]) expect(names).toContain(f);
  const manifest = JSON.parse(sdk.find((e) => e.name === "package/package.json")!.data.toString());
  expect(manifest).toMatchObject({ name: "@pulumi-seam-acs/seam", version, main: "index.js", pulumi: { resource: true, name: "seam", version, server: "github://api.github.com/pulumi-seam-acs/pulumi-seam-acs" } });
  // A wheel is a zip: its central directory names the package's files.
  const wheel = fs.readFileSync(path.join(release.dir, `pulumi_seam-${version}-py3-none-any.whl`));
  expect(wheel.subarray(0, 2).toString()).toBe("PK");
  for (const f of ["pulumi_seam/access_group_roster.py", "pulumi_seam/pulumi-plugin.json"]) expect(wheel.includes(f)).toBe(true);
});

test("the linux-amd64 executable serves the plugin with nothing on PATH: GetPluginInfo, and the schema with the download URL", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "seam-acs-plugin-"));
  const exe = path.join(dir, "pulumi-resource-seam");
  fs.writeFileSync(exe, entries("linux-amd64")[0]!.data, { mode: 0o755 });
  const plugin = await NativePlugin.start({ PATH: path.join(dir, "no-such-dir") }, undefined, exe);
  try {
    expect(await plugin.version()).toBe(version);
    const schema = await plugin.schema();
    expect(schema).toMatchObject({ name: "seam", version, pluginDownloadURL: "github://api.github.com/pulumi-seam-acs/pulumi-seam-acs", publisher: "pulumi-seam-acs" });
  } finally {
    plugin.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
