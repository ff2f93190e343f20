/**
 * The effective change in access a preview stands for, netted exactly as the provider nets it.
 *
 * The provider's `delete` leaves Seam alone when any resource of the deployment still declares
 * the pair (DeclaredMemberships, fed by `check` with validateInputs' canonical ids), and reads
 * the pair to remove from the old state as `delete` does (idsFromState). So:
 *  - removal: a pair an old resource releases (delete, replace) that nothing declares any more;
 *  - addition: a pair declared now that no old resource held;
 *  - move: a pair whose resources change (renamed, duplicated, dropped, swapped, replaced) but
 *    that stays declared: no change in access;
 *  - unknown: a resource whose ids are not known until apply (outputs of other resources).
 *
 * Two things the preview cannot settle are counted against the reviewer's comfort, never for
 * it: a removal stays a removal when a resource whose ids are not known yet might declare the
 * same pair (the provider would then net it at apply time), or when the preview hid unchanged
 * resources (no `--show-sames`) that might declare it. Such removals carry `mayBeMove`.
 *
 * Under engine flags (see engine-flags.ts and the measurements in preview-file.ts):
 *  - a resource the provider does not check (left out of `--target`; every resource in a
 *    `destroy`) stays in state but declares nothing, so it keeps no pair from being removed;
 *  - a create the engine will not run (left out of `--target`) grants nothing: `notRun`;
 *  - a delete the engine makes without calling the provider (`retainOnDelete`, or `deletedWith`
 *    a resource deleted in the same run) revokes nothing: `retained`, access stays at Seam;
 *  - a delete-first replacement is refused by the provider at `pulumi up`: `refusals`, and the
 *    old pair is neither revoked nor the new one granted;
 *  - a targeted run that splits a move (a removal while creates are left out, a removal while an
 *    unchecked resource keeps the pair in state, or a new declarer while an unchecked one stays):
 *    `splitMoves`.
 */
import type { MembershipIds } from "../seam/client";
import { DeclaredMemberships } from "../provider/declared-memberships";
import { canonical, unknownValue, validateInputs } from "../provider/inputs";
import { membershipId } from "../provider/membership-id";
import { idsFromState } from "../provider/membership-provider";
import { decideRemoval } from "../provider/removal-policy";
import { checkedUrns, EngineFlags, noFlags } from "./engine-flags";
import { MembershipStep, Preview, ReviewInputError } from "./preview-file";
import { rosterStepAsMemberships } from "./roster-steps";

export interface Change {
  readonly acsUserId: string;
  readonly acsAccessGroupId: string;
  /** URNs of every resource involved, sorted. */
  readonly resources: readonly string[];
  /** Resources that held the pair before the deployment. */
  readonly before: readonly string[];
  /** Resources that declare the pair after it. */
  readonly after: readonly string[];
  /** A removal that may turn out to be a move (see the module comment). */
  readonly mayBeMove?: boolean;
}

export interface UnknownChange {
  /** Null where the value is not known until apply. */
  readonly acsUserId: string | null;
  readonly acsAccessGroupId: string | null;
  readonly resources: readonly string[];
}

/** A resource that leaves the state without the provider's `delete`: the access stays at Seam. */
export interface Retained extends MembershipIds {
  readonly resources: readonly string[];
  /** `retainOnDelete`, or `deletedWith` (with the URN it goes with). */
  readonly reason: "retainOnDelete" | "deletedWith";
  readonly deletedWith?: string;
}

/** A delete the provider refuses at `pulumi up` (decideRemoval in removal-policy.ts said `refuse`). */
export interface Refusal extends MembershipIds {
  readonly resources: readonly string[];
  /**
   * A delete-first replacement, a pair declared by a resource that will not enter the state, or
   * another member of a roster whose delete is refused (the provider refuses a roster's delete
   * whole, before any request).
   */
  readonly reason: "delete-first-replacement" | "declared-not-in-state" | "roster-delete-refused";
  /** The provider's own words (removal-policy.ts). */
  readonly why: string;
  /** The pair the replacement would declare, when known. */
  readonly replacement?: MembershipIds;
}

/**
 * A targeted run that splits what a full run would keep together:
 *  - `removal-while-creates-skipped`: the pair is removed while creates are left out of the run
 *    (their pairs are not in the preview; one may be this pair's new declarer);
 *  - `kept-without-access`: the pair is removed while a resource left out of the run stays in state declaring it;
 *  - `two-declarers`: a new declarer is created while a resource left out of the run stays in state declaring the pair.
 */
export interface SplitMove extends MembershipIds {
  readonly kind: "removal-while-creates-skipped" | "kept-without-access" | "two-declarers";
  readonly resources: readonly string[];
}

export interface AccessChanges {
  readonly removals: readonly Change[];
  readonly additions: readonly Change[];
  readonly moves: readonly Change[];
  readonly unknown: readonly UnknownChange[];
  /** Unchanged resources the preview did not list (no `--show-sames`). */
  readonly hiddenUnchanged: number;
  readonly retained: readonly Retained[];
  readonly refusals: readonly Refusal[];
  readonly splitMoves: readonly SplitMove[];
  /** URNs of creates the engine will not run (left out of `--target`). */
  readonly notRun: readonly string[];
}

/** What each engine op means for the old pair and the new one. */
interface OpEffect {
  /** The old resource stays (kept) or goes through the provider's `delete` (released). */
  readonly old?: "kept" | "released";
  /** The program declares the new inputs: the provider's `check` sees them. */
  readonly declares?: "unchanged" | "changed";
}

const opEffects: Readonly<Record<string, OpEffect>> = {
  same: { old: "kept", declares: "unchanged" },
  // The provider's diff replaces on any id change, so an update only refreshes the stored code.
  update: { old: "kept", declares: "unchanged" },
  create: { declares: "changed" },
  delete: { old: "released" },
  replace: { old: "released", declares: "changed" },
  // With --show-replacement-steps the engine lists these beside `replace`.
  "create-replacement": { old: "released", declares: "changed" },
  "delete-replaced": { old: "released" },
  // Resources read with `get`, refreshes and state bookkeeping: the provider adds and removes nothing.
  read: {},
  "read-replacement": {},
  refresh: {},
  discard: {},
  "discard-replaced": {},
  "remove-pending-replace": {},
};

/** The text Pulumi puts in a preview where a secret value was. */
const maskedSecret = "[secret]";

interface Holders {
  readonly ids: MembershipIds;
  readonly kept: Set<string>;
  /** Kept resources the provider does not check (left out of the targets): in state, declaring nothing. */
  readonly keptUnchecked: Set<string>;
  /** Resources that hold the pair in the state this run leaves, as the provider learns it (diff kept it, or its create runs). */
  readonly held: Set<string>;
  readonly released: Set<string>;
  readonly declared: Set<string>;
  readonly changed: Set<string>;
}

/**
 * Nets a preview into access changes as the provider will act on it under `flags` (the flags the
 * preview was made with). Throws ReviewInputError when the preview cannot be reviewed, e.g. it
 * was made with `--target` (creates left out) and no targets were given.
 */
export function accessChanges(preview: Preview, flags: EngineFlags = noFlags): AccessChanges {
  const declared = new DeclaredMemberships();
  const pairs = new Map<string, Holders>();
  const unknown: UnknownChange[] = [];
  const retained: Retained[] = [];
  const refusals: Refusal[] = [];
  const notRun: string[] = [];
  const holders = (ids: MembershipIds) => {
    const key = membershipId(ids);
    let h = pairs.get(key);
    if (!h) pairs.set(key, (h = { ids, kept: new Set(), keptUnchecked: new Set(), held: new Set(), released: new Set(), declared: new Set(), changed: new Set() }));
    return h;
  };
  const dependsOn = preview.dependsOn ?? new Map<string, readonly string[]>();
  const checked = checkedUrns(flags, new Set([...dependsOn.keys(), ...preview.steps.map((s) => s.urn)]), dependsOn);
  const deleted = preview.deleted ?? new Set(preview.steps.filter((s) => s.op === "delete" || s.op === "delete-replaced" || s.op === "replace").map((s) => s.urn));
  const deleteFirst = deleteFirstReplacements(preview.steps);

  const skipped = preview.steps.filter((s) => s.skippedCreate).map((s) => s.urn).sort();
  if (skipped.length > 0 && checked === undefined) {
    throw new ReviewInputError(
      `The preview was made with --target: the create${skipped.length === 1 ? "" : "s"} of ${skipped.join(", ")} will not run. ` +
        "Pass the review the same --target (and --target-dependents) flags as the preview, so it nets as the provider will.",
    );
  }

  const rosterUrnOfMember = new Map<string, string>();
  // A roster step stands for one step per member (roster-steps.ts); engine facts (targets,
  // delete-first, deleted) are about the resource, so they are looked up by its URN.
  for (const step of preview.steps.flatMap(rosterStepAsMemberships)) {
    const resource = step.rosterUrn ?? step.urn;
    if (step.rosterUrn !== undefined) rosterUrnOfMember.set(step.urn, step.rosterUrn);
    if (step.skippedCreate) {
      if (!notRun.includes(resource)) notRun.push(resource);
      continue;
    }
    const effect = opEffects[step.op];
    if (!effect) {
      throw new ReviewInputError(
        `The preview has a \`${step.op}\` step for ${step.urn}, which this version of pulumi-seam-acs cannot review. ` +
          "Review that change by hand, and upgrade pulumi-seam-acs.",
      );
    }
    // Under --target and destroy, a `same` resource the provider does not check declares nothing.
    const isChecked = step.op !== "same" || checked === undefined || checked.has(resource);
    const refused = deleteFirst.has(resource);
    if (effect.old) {
      const ids = oldIds(step);
      const h = holders(ids);
      if (effect.old === "kept") {
        h.kept.add(step.urn);
        if (!isChecked) h.keptUnchecked.add(step.urn);
        // The provider's diff sees a checked resource it keeps: it holds the pair.
        else if (step.new && samePair(step.new.inputs, ids)) h.held.add(step.urn);
      } else if (refused) {
        // The provider refuses the delete-first replacement at up: the old pair stays, in state and at Seam.
        h.kept.add(step.urn);
        const decision = decideRemoval(ids, { deleteFirstReplacement: true, heldByAnotherResource: false, declared: false });
        if (decision.action === "refuse" && !refusals.some((r) => r.resources[0] === step.urn)) {
          const replacement = step.new ? validateInputs(step.new.inputs) : undefined;
          refusals.push({
            ...ids,
            resources: [step.urn],
            reason: "delete-first-replacement",
            why: decision.why,
            ...(replacement?.ok && replacement.known ? { replacement: replacement.ids } : {}),
          });
        }
      } else if (step.old?.retainOnDelete || (step.old?.deletedWith !== undefined && deleted.has(step.old.deletedWith))) {
        // The engine drops it from state without calling the provider's delete: the access stays,
        // so the pair counts as held (a new declarer of it is a move, not a grant).
        h.kept.add(step.urn);
        if (!retained.some((r) => r.resources[0] === step.urn)) {
          retained.push({
            ...ids,
            resources: [step.urn],
            ...(step.old?.retainOnDelete ? { reason: "retainOnDelete" as const } : { reason: "deletedWith" as const, deletedWith: step.old!.deletedWith }),
          });
        }
      } else {
        h.released.add(step.urn);
      }
    }
    if (effect.declares && isChecked) {
      const inputs = step.new?.inputs;
      if (!inputs) throw new ReviewInputError(`The preview's \`${step.op}\` step for ${step.urn} carries no new inputs; it cannot be reviewed.`);
      const valid = validateInputs(inputs);
      if (valid.ok && valid.known) {
        // The provider checks a refused replacement's new inputs before it refuses; nothing is granted.
        declared.declare(valid.ids);
        if (refused) continue;
        const h = holders(valid.ids);
        h.declared.add(step.urn);
        if (effect.declares === "changed") {
          h.changed.add(step.urn);
          // Its create runs in this deployment (a preview assumes it succeeds).
          h.held.add(step.urn);
        }
      } else if (valid.ok || hidesSecret(inputs)) {
        unknown.push({ acsUserId: visible(inputs.acsUserId), acsAccessGroupId: visible(inputs.acsAccessGroupId), resources: [step.urn] });
      } else {
        // The provider's check would have failed the preview; a preview that passed cannot hold this.
        throw new ReviewInputError(`The preview declares ${step.urn} with inputs the provider rejects: ${valid.failures.map((f) => f.reason).join("; ")}.`);
      }
    }
  }

  const removals: Change[] = [];
  const additions: Change[] = [];
  const moves: Change[] = [];
  const splitMoves: SplitMove[] = [];
  for (const h of pairs.values()) {
    const before = [...h.kept, ...h.released];
    const change = {
      acsUserId: h.ids.acsUserId,
      acsAccessGroupId: h.ids.acsAccessGroupId,
      resources: sorted(new Set([...before, ...h.declared])),
      before: sorted(before),
      after: sorted(h.declared),
    };
    const stillDeclared = declared.isDeclared(h.ids);
    const split = (kind: SplitMove["kind"], urns: Iterable<string>) =>
      splitMoves.push({ acsUserId: h.ids.acsUserId, acsAccessGroupId: h.ids.acsAccessGroupId, kind, resources: sorted(new Set(urns)) });
    // The provider's own rule for each delete of the pair (removal-policy.ts), fed the facts its
    // process would have learned from check, diff and create in this deployment.
    const decision =
      h.released.size > 0 ? decideRemoval(h.ids, { deleteFirstReplacement: false, heldByAnotherResource: h.held.size > 0, declared: stillDeclared }) : undefined;
    if (decision?.action === "remove") {
      const mayBeMove = preview.hiddenUnchanged > 0 || unknown.some((u) => couldDeclare(u, h.ids));
      removals.push(mayBeMove ? { ...change, mayBeMove } : change);
      if (h.keptUnchecked.size > 0) split("kept-without-access", [...h.released, ...h.keptUnchecked]);
      if (notRun.length > 0) split("removal-while-creates-skipped", [...h.released, ...notRun]);
    } else if (decision?.action === "refuse") {
      refusals.push({ ...h.ids, resources: sorted(h.released), reason: "declared-not-in-state", why: decision.why });
    } else if (before.length === 0) {
      additions.push(change);
    } else if (h.released.size > 0 || h.changed.size > 0) {
      moves.push(change);
      if (h.changed.size > 0 && h.keptUnchecked.size > 0) split("two-declarers", [...h.changed, ...h.keptUnchecked]);
    }
  }
  // The provider refuses a roster's delete whole when one member is refused: none of its members' removes run.
  const rosterOf = (urn: string) => rosterUrnOfMember.get(urn);
  const refusedRosters = new Set(refusals.flatMap((r) => r.resources.map(rosterOf).filter((u): u is string => u !== undefined)));
  if (refusedRosters.size > 0) {
    for (let i = removals.length - 1; i >= 0; i--) {
      const removal = removals[i]!;
      const roster = removal.before.map(rosterOf).find((u) => u !== undefined && refusedRosters.has(u));
      if (roster === undefined) continue;
      removals.splice(i, 1);
      refusals.push({
        acsUserId: removal.acsUserId,
        acsAccessGroupId: removal.acsAccessGroupId,
        resources: removal.before,
        reason: "roster-delete-refused",
        why: `the delete of ${roster} is refused for another of its members, so this member's remove is not sent either; the roster stays in the state.`,
      });
    }
  }
  return {
    removals: byIds(removals),
    additions: byIds(additions),
    moves: byIds(moves),
    unknown: unknown.sort((a, b) => a.resources[0]!.localeCompare(b.resources[0]!)),
    hiddenUnchanged: preview.hiddenUnchanged,
    retained: retained.sort(byUrn),
    refusals: refusals.sort(byUrn),
    splitMoves: splitMoves.sort((a, b) => a.acsAccessGroupId.localeCompare(b.acsAccessGroupId) || a.acsUserId.localeCompare(b.acsUserId) || a.kind.localeCompare(b.kind)),
    notRun: notRun.sort(),
  };
}

/**
 * URNs replaced delete-first: a `replace` (or its replacement steps) whose old state is
 * `pendingReplacement` (measured: set for `deleteBeforeReplace` and for `pulumi:autonaming`
 * mode `verbatim`), or whose `delete-replaced` step comes before its `create-replacement`.
 */
function deleteFirstReplacements(steps: readonly MembershipStep[]): Set<string> {
  const out = new Set<string>();
  const created = new Set<string>();
  for (const s of steps) {
    if (["replace", "create-replacement", "delete-replaced"].includes(s.op) && s.old?.pendingReplacement) out.add(s.urn);
    if (s.op === "create-replacement") created.add(s.urn);
    if (s.op === "delete-replaced" && !created.has(s.urn)) out.add(s.urn);
  }
  return out;
}

function byUrn(a: { resources: readonly string[] }, b: { resources: readonly string[] }): number {
  return a.resources[0]!.localeCompare(b.resources[0]!);
}

/** The pair the provider's `delete` would act on: the old outputs, or else the resource id. */
function oldIds(step: MembershipStep): MembershipIds {
  if (!step.old) throw new ReviewInputError(`The preview's \`${step.op}\` step for ${step.urn} carries no old state; it cannot be reviewed.`);
  if (hidesSecret(step.old.outputs)) {
    throw new ReviewInputError(
      `The preview hides the ids of ${step.urn} as secrets, so what its \`${step.op}\` revokes cannot be shown. Review it by hand; Seam ids need not be secrets.`,
    );
  }
  try {
    return idsFromState(step.old.id ?? "", step.old.outputs);
  } catch (e) {
    throw new ReviewInputError(`The preview's \`${step.op}\` step for ${step.urn}: ${(e as Error).message}`);
  }
}

function hidesSecret(props: Record<string, unknown>): boolean {
  return props.acsUserId === maskedSecret || props.acsAccessGroupId === maskedSecret;
}

/** The half of a pair that is known, spelled as the provider's check spells it; null otherwise. */
function visible(value: unknown): string | null {
  return typeof value === "string" && value !== unknownValue && value !== maskedSecret ? canonical(value) : null;
}

function samePair(inputs: Record<string, unknown>, ids: MembershipIds): boolean {
  const valid = validateInputs(inputs);
  return valid.ok && valid.known && membershipId(valid.ids) === membershipId(ids);
}

function couldDeclare(u: UnknownChange, ids: MembershipIds): boolean {
  return (u.acsUserId === null || u.acsUserId === ids.acsUserId) && (u.acsAccessGroupId === null || u.acsAccessGroupId === ids.acsAccessGroupId);
}

function sorted(urns: Iterable<string>): string[] {
  return [...urns].sort();
}

function byIds(changes: Change[]): Change[] {
  return changes.sort((a, b) => a.acsAccessGroupId.localeCompare(b.acsAccessGroupId) || a.acsUserId.localeCompare(b.acsUserId));
}
