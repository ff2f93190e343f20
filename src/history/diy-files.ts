/**
 * A DIY backend's update history, read from its files: for every update Pulumi writes
 * `<stack>-<unix nanoseconds>.history.json` (its `backend.UpdateInfo`) and
 * `<stack>-<unix nanoseconds>.checkpoint.json` (a copy of the stack's checkpoint as the update
 * left it: `{ version, checkpoint: { latest: <deployment> } }`), each optionally `.gz` or `.zst`
 * (PULUMI_DIY_BACKEND_GZIP and its zstd sibling), in `.pulumi/history/<project>/<stack>/` (or
 * `.pulumi/history/<stack>/` in a backend from before projects). The DIY backend cannot export an
 * old version (`stack export --version`) and numbers every update 0 in `stack history`, so these
 * files are the history. Each file is read once.
 */
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { AuditInputError, readStackState } from "../audit/stack-state";
import { pairsOfCheckpoint, type HistoryStep } from "./intervals";
import { updateOf, type RawUpdate } from "./update";

const historyFile = /^(.+)-(\d+)\.(checkpoint|history)\.json(\.gz|\.zst)?$/;

export interface DiyHistory {
  /** `<project>/<stack>` as the audit names it (from the checkpoints' URNs), when a checkpoint holds resources. */
  readonly stack: string | undefined;
  /** The updates in order, oldest first; version = position (1 = first). */
  readonly steps: HistoryStep[];
}

/** The text of a history file, decompressed by its extension. */
function readText(file: string): string {
  const bytes = fs.readFileSync(file);
  if (file.endsWith(".gz")) return zlib.gunzipSync(bytes).toString("utf8");
  if (file.endsWith(".zst")) {
    const zstd = (zlib as unknown as { zstdDecompressSync?: (b: Buffer) => Buffer }).zstdDecompressSync;
    if (!zstd) throw new AuditInputError(`${file} is zstd-compressed, which this Node.js (${process.version}) cannot read; use Node.js 22.15 or newer.`);
    return zstd(bytes).toString("utf8");
  }
  return bytes.toString("utf8");
}

function parse(file: string): unknown {
  try {
    return JSON.parse(readText(file));
  } catch (e) {
    throw new AuditInputError(`${file} is not a readable history file (${(e as Error).message.split("\n")[0]}).`);
  }
}

/**
 * Reads the history directory of one stack (the directory holding its `*.history.json` and
 * `*.checkpoint.json` files). A directory that does not exist, or holds no updates, is a stack
 * with no history (no steps). Throws AuditInputError for an unreadable file or a resource of
 * this package's types that no state reader knows.
 */
export function readDiyHistory(dir: string): DiyHistory {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { stack: undefined, steps: [] };
    throw new AuditInputError(`Cannot read the history directory ${dir}: ${(e as NodeJS.ErrnoException).code ?? String(e)}.`);
  }
  // One update per timestamp: its history record and its checkpoint.
  const updates = new Map<string, { history?: string; checkpoint?: string }>();
  for (const name of names) {
    const m = historyFile.exec(name);
    if (!m) continue;
    const entry = updates.get(m[2]!) ?? {};
    entry[m[3] as "history" | "checkpoint"] = path.join(dir, name);
    updates.set(m[2]!, entry);
  }
  // Nanosecond timestamps: compare as integers (a digit more would sort wrong as text).
  const order = [...updates.keys()].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
  let stack: string | undefined;
  const steps: HistoryStep[] = [];
  for (const [i, stamp] of order.entries()) {
    const files = updates.get(stamp)!;
    const fallbackTime = new Date(Number(BigInt(stamp) / 1_000_000n)).toISOString();
    const raw = files.history ? (parse(files.history) as RawUpdate) : {};
    const update = updateOf(raw, i + 1, fallbackTime);
    if (!files.checkpoint) {
      // Pulumi writes the record first and then copies the checkpoint; without the copy the
      // update's effect is unknown, and guessing would open or close intervals wrongly.
      throw new AuditInputError(`${files.history} has no checkpoint beside it (${path.basename(files.history!).replace(".history.", ".checkpoint.")}); the history is incomplete.`);
    }
    const checkpoint = parse(files.checkpoint) as { version?: unknown; checkpoint?: { latest?: unknown } };
    const deployment = checkpoint?.checkpoint?.latest ?? { resources: [] };
    const state = readStackState(JSON.stringify({ version: checkpoint?.version ?? 3, deployment }), files.checkpoint);
    if (state.resources.length > 0) stack = state.stack;
    steps.push({ update, pairs: pairsOfCheckpoint(state, `${update.kind} ${update.time} (${path.basename(files.checkpoint)})`) });
  }
  return { stack, steps };
}

/**
 * The history directory of `stack` of `project` under a DIY backend's root (the directory a
 * `file://` URL names): `.pulumi/history/<project>/<stack>`, or `.pulumi/history/<stack>` where
 * only that exists (a backend written before projects).
 */
export function diyHistoryDir(root: string, project: string, stack: string): string {
  const byProject = path.join(root, ".pulumi", "history", project, stack);
  const legacy = path.join(root, ".pulumi", "history", stack);
  if (!fs.existsSync(byProject) && fs.existsSync(legacy) && fs.readdirSync(legacy).some((n) => historyFile.test(n))) return legacy;
  return byProject;
}
