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
 */
import type { MembershipIds } from "../seam/client";
import { DeclaredMemberships } from "../provider/declared-memberships";
import { canonical, unknownValue, validateInputs } from "../provider/inputs";
import { membershipId } from "../provider/membership-id";
import { idsFromState } from "../provider/membership-provider";
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

export interface AccessChanges {
  readonly removals: readonly Change[];
  readonly additions: readonly Change[];
  readonly moves: readonly Change[];
  readonly unknown: readonly UnknownChange[];
  /** Unchanged resources the preview did not list (no `--show-sames`). */
  readonly hiddenUnchanged: number;
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
  readonly released: Set<string>;
  readonly declared: Set<string>;
  readonly changed: Set<string>;
}

export function accessChanges(preview: Preview): AccessChanges {
  const declared = new DeclaredMemberships();
  const pairs = new Map<string, Holders>();
  const unknown: UnknownChange[] = [];
  const holders = (ids: MembershipIds) => {
    const key = membershipId(ids);
    let h = pairs.get(key);
    if (!h) pairs.set(key, (h = { ids, kept: new Set(), released: new Set(), declared: new Set(), changed: new Set() }));
    return h;
  };

  // A roster step stands for one step per member (roster-steps.ts).
  for (const step of preview.steps.flatMap(rosterStepAsMemberships)) {
    const effect = opEffects[step.op];
    if (!effect) {
      throw new ReviewInputError(
        `The preview has a \`${step.op}\` step for ${step.urn}, which this version of pulumi-seam-acs cannot review. ` +
          "Review that change by hand, and upgrade pulumi-seam-acs.",
      );
    }
    if (effect.old) {
      const ids = oldIds(step);
      holders(ids)[effect.old].add(step.urn);
    }
    if (effect.declares) {
      const inputs = step.new?.inputs;
      if (!inputs) throw new ReviewInputError(`The preview's \`${step.op}\` step for ${step.urn} carries no new inputs; it cannot be reviewed.`);
      const checked = validateInputs(inputs);
      if (checked.ok && checked.known) {
        declared.declare(checked.ids);
        const h = holders(checked.ids);
        h.declared.add(step.urn);
        if (effect.declares === "changed") h.changed.add(step.urn);
      } else if (checked.ok || hidesSecret(inputs)) {
        unknown.push({ acsUserId: visible(inputs.acsUserId), acsAccessGroupId: visible(inputs.acsAccessGroupId), resources: [step.urn] });
      } else {
        // The provider's check would have failed the preview; a preview that passed cannot hold this.
        throw new ReviewInputError(`The preview declares ${step.urn} with inputs the provider rejects: ${checked.failures.map((f) => f.reason).join("; ")}.`);
      }
    }
  }

  const removals: Change[] = [];
  const additions: Change[] = [];
  const moves: Change[] = [];
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
    if (h.released.size > 0 && !stillDeclared) {
      const mayBeMove = preview.hiddenUnchanged > 0 || unknown.some((u) => couldDeclare(u, h.ids));
      removals.push(mayBeMove ? { ...change, mayBeMove } : change);
    } else if (before.length === 0) {
      additions.push(change);
    } else if (h.released.size > 0 || h.changed.size > 0) {
      moves.push(change);
    }
  }
  return {
    removals: byIds(removals),
    additions: byIds(additions),
    moves: byIds(moves),
    unknown: unknown.sort((a, b) => a.resources[0]!.localeCompare(b.resources[0]!)),
    hiddenUnchanged: preview.hiddenUnchanged,
  };
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

function couldDeclare(u: UnknownChange, ids: MembershipIds): boolean {
  return (u.acsUserId === null || u.acsUserId === ids.acsUserId) && (u.acsAccessGroupId === null || u.acsAccessGroupId === ids.acsAccessGroupId);
}

function sorted(urns: Iterable<string>): string[] {
  return [...urns].sort();
}

function byIds(changes: Change[]): Change[] {
  return changes.sort((a, b) => a.acsAccessGroupId.localeCompare(b.acsAccessGroupId) || a.acsUserId.localeCompare(b.acsUserId));
}
