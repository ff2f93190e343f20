/**
 * The review's `--also-stack`: which of a preview's removals another stack still declares.
 *
 * The provider nets a removal against the declarers of its own deployment only: a pair that
 * another stack also declares is removed all the same (`up` sends the remove, and the review
 * counts it as a removal), and that stack loses the access while its state still says it has
 * it. The review cannot stop that; it names the other stack, and `--fail-on-shared-removal`
 * stops the pipeline (guard.ts sharedRemovalGuard).
 *
 * What a stack declares is what its state tracks (`pulumi stack export`, read as the audit reads
 * it: audit/state-pairs.ts), as of its last update.
 */
import { pairsDeclaredBy } from "../audit/state-pairs";
import type { StackState } from "../audit/stack-state";
import { canonical } from "../provider/inputs";
import { nameOf } from "./preview-file";
import type { Report, ReportItem, StillDeclared } from "./report";

/** `--also-stack` names the stack this preview is of, or one stack twice. */
export class OtherStackError extends Error {
  override readonly name = "OtherStackError";
}

const key = (acsUserId: string, acsAccessGroupId: string) => `${canonical(acsAccessGroupId)}/${canonical(acsUserId)}`;

/**
 * Each pair the given stacks declare → the stacks (`<project>/<stack>`) and their resources (URNs)
 * that declare it, in the order the stacks were given. Throws OtherStackError when one of them is
 * `previewStack` (its own state would make every removal look shared) or is given twice; throws
 * the audit's AuditInputError for a state it cannot read (state-pairs.ts).
 */
export function declarationsOfStacks(stacks: readonly StackState[], previewStack: string | undefined): ReadonlyMap<string, readonly StillDeclared[]> {
  const seen = new Map<string, string>();
  for (const s of stacks) {
    if (previewStack !== undefined && s.stack === previewStack) {
      throw new OtherStackError(`--also-stack: ${s.source} is ${s.stack}, the stack this preview is of; give the other stacks that may declare the same pairs.`);
    }
    const earlier = seen.get(s.stack);
    if (earlier !== undefined) throw new OtherStackError(`The stack ${s.stack} is given twice (${earlier} and ${s.source}); give each stack once.`);
    seen.set(s.stack, s.source);
  }
  const byPair = new Map<string, StillDeclared[]>();
  for (const s of stacks) {
    for (const r of s.resources) {
      for (const ids of pairsDeclaredBy(r)) {
        const k = key(ids.acsUserId, ids.acsAccessGroupId);
        const list = byPair.get(k) ?? [];
        const entry = list.find((d) => d.stack === s.stack);
        if (entry) (entry.resources as string[]).push(r.urn);
        else list.push({ stack: s.stack, resources: [r.urn] });
        byPair.set(k, list);
      }
    }
  }
  return byPair;
}

/**
 * The report with every removal annotated with the given stacks that still declare its pair
 * (`stillDeclaredBy`, empty when none), `alsoStacks` set, and a note when any removal is shared.
 * The removals themselves are unchanged: each is still a remove `up` sends.
 */
export function withOtherStacks(report: Report, stacks: readonly string[], declarations: ReadonlyMap<string, readonly StillDeclared[]>): Report {
  const annotate = (item: ReportItem): ReportItem => ({
    ...item,
    stillDeclaredBy: item.acsUserId !== null && item.acsAccessGroupId !== null ? (declarations.get(key(item.acsUserId, item.acsAccessGroupId)) ?? []) : [],
  });
  const removals = report.removals.map(annotate);
  const shared = removals.filter((r) => (r.stillDeclaredBy ?? []).length > 0);
  const notes = [...report.notes];
  if (shared.length > 0) {
    const names = [...new Set(shared.flatMap((r) => r.stillDeclaredBy!.map((d) => d.stack)))];
    notes.push(
      `${shared.length} removal${shared.length === 1 ? " is a pair" : "s are pairs"} that ${names.length === 1 ? `stack ${names[0]}` : `stacks ${names.join(", ")}`} still declare${names.length === 1 ? "s" : ""}. ` +
        "The provider nets removals only within one stack: `pulumi up` sends the remove all the same, and the other stack loses the access while its state still says it has it " +
        "(until a refresh and an up of that stack add it back). Keep each pair in one stack: to hand it over, set retainOnDelete on this stack's resource and run `pulumi up` before removing it here.",
    );
  }
  return { ...report, removals, alsoStacks: [...stacks], notes };
}

/** The removals another given stack still declares (empty without `--also-stack`). */
export const sharedRemovals = (report: Report): readonly ReportItem[] => report.removals.filter((r) => (r.stillDeclaredBy ?? []).length > 0);

/**
 * `still declared by stack b/prod (ada-lobby): removing it revokes b/prod's access` (several
 * stacks: `… by stacks x/a (r1), y/b (r2): removing it revokes their access`); undefined when no
 * given stack declares the item's pair. Plain text: the formats escape it.
 */
export function stillDeclaredPhrase(item: ReportItem): string | undefined {
  const by = item.stillDeclaredBy ?? [];
  if (by.length === 0) return undefined;
  const each = by.map((d) => `${d.stack} (${d.resources.map(nameOf).join(", ")})`).join(", ");
  return by.length === 1
    ? `still declared by stack ${each}: removing it revokes ${by[0]!.stack}'s access`
    : `still declared by stacks ${each}: removing it revokes their access`;
}
