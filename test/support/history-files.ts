/**
 * Writes a DIY backend's history files as Pulumi 3.274 writes them (backend/diy/state.go
 * addToHistory): per update `<stack>-<unix ns>.history.json` (backend.UpdateInfo: kind, startTime and
 * endTime in Unix seconds, message, environment, result) and `<stack>-<unix ns>.checkpoint.json`
 * (`{ version: 3, checkpoint: { stack, latest: { manifest, resources } } }`), plain, gzip or zstd as
 * PULUMI_DIY_BACKEND_GZIP and its zstd sibling make them, for unit tests and the bench.
 */
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";

export interface SyntheticUpdate {
  readonly kind: string;
  /** Unix seconds. */
  readonly start: number;
  readonly end: number;
  readonly message?: string;
  readonly result?: string;
  readonly environment?: Record<string, string>;
  /** The checkpoint's resources after the update (Pulumi's ResourceV3 shape). */
  readonly resources: readonly object[];
}

/** Writes the updates into `dir` (created), each pair of files named by a nanosecond stamp that grows with the start. */
export function writeHistory(dir: string, stack: string, updates: readonly SyntheticUpdate[], options: { compression?: "gzip" | "zstd" } = {}): void {
  fs.mkdirSync(dir, { recursive: true });
  const ext = { gzip: ".json.gz", zstd: ".json.zst", none: ".json" }[options.compression ?? "none"];
  const encode = (o: object) =>
    options.compression === "gzip" ? zlib.gzipSync(JSON.stringify(o)) : options.compression === "zstd" ? zlib.zstdCompressSync(JSON.stringify(o)) : JSON.stringify(o, null, 4);
  updates.forEach((u, i) => {
    // Nanoseconds: the start plus the index, so updates in the same second keep their order.
    const stamp = `${BigInt(u.start) * 1_000_000_000n + BigInt(i)}`;
    const info = { kind: u.kind, startTime: u.start, message: u.message ?? "", environment: u.environment ?? {}, config: {}, result: u.result ?? "succeeded", endTime: u.end };
    fs.writeFileSync(path.join(dir, `${stack}-${stamp}.history${ext}`), encode(info));
    const checkpoint = { version: 3, checkpoint: { stack: `organization/p/${stack}`, latest: { manifest: { time: new Date(u.end * 1000).toISOString(), magic: "", version: "v3.274.1" }, resources: u.resources } } };
    fs.writeFileSync(path.join(dir, `${stack}-${stamp}.checkpoint${ext}`), encode(checkpoint));
  });
}
