/**
 * A stack's history from a backend that keeps every version (Pulumi Cloud, self-hosted Pulumi
 * Cloud): `pulumi stack history --output json` for the updates and their metadata (in pages:
 * the CLI returns 10 per page unless asked), then `pulumi stack export --version N` once per
 * update for the checkpoint it left. Several exports run at once; each version is read once.
 */
import { AuditInputError, readStackState } from "../audit/stack-state";
import { pairsOfCheckpoint, type HistoryStep } from "./intervals";
import type { PulumiRun } from "./pulumi-cli";
import { updateOf, type RawUpdate } from "./update";

const pageSize = 100;
/** Exports in flight at once: each is a CLI process waiting mostly on the backend. */
const exportsAtOnce = 8;

/** Every update of `stack` (oldest first) as `pulumi stack history --output json` lists it. */
export async function listUpdates(run: PulumiRun, stack: string): Promise<(RawUpdate & { version: number })[]> {
  const all: (RawUpdate & { version: number })[] = [];
  for (let page = 1; ; page++) {
    const text = await run(["stack", "history", "--stack", stack, "--output", "json", "--page-size", String(pageSize), "--page", String(page)]);
    let list: unknown;
    try {
      list = JSON.parse(text.trim() === "" ? "[]" : text);
    } catch {
      throw new AuditInputError(`\`pulumi stack history --stack ${stack} --output json\` did not print JSON.`);
    }
    if (!Array.isArray(list)) throw new AuditInputError(`\`pulumi stack history --stack ${stack} --output json\` did not print a list.`);
    all.push(...(list as (RawUpdate & { version: number })[]));
    if (list.length < pageSize) break;
  }
  // The CLI lists the newest first.
  return all.sort((a, b) => Number(a.version) - Number(b.version));
}

/** The stack's steps from its exported versions; `stack` of the result is `<project>/<stack>` from the checkpoints' URNs. */
export async function readExportedHistory(run: PulumiRun, stack: string): Promise<{ stack: string | undefined; steps: HistoryStep[] }> {
  const updates = await listUpdates(run, stack);
  const steps: HistoryStep[] = new Array(updates.length);
  let named: string | undefined;
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < updates.length; i = next++) {
      const raw = updates[i]!;
      const version = Number(raw.version);
      const text = await run(["stack", "export", "--stack", stack, "--version", String(version)]);
      const state = readStackState(text, `version ${version} of stack ${stack}`);
      if (state.resources.length > 0) named = state.stack;
      const update = updateOf(raw, version);
      steps[i] = { update, pairs: pairsOfCheckpoint(state, `version ${version} (${update.kind} ${update.time})`) };
    }
  };
  await Promise.all(Array.from({ length: Math.min(exportsAtOnce, updates.length) }, worker));
  return { stack: named, steps };
}
