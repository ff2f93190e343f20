/**
 * A roster step of a preview, as the per-member steps the review nets with plain memberships.
 *
 * An AccessGroupRoster holds a group's member set (src/provider/roster-inputs.ts). What its
 * engine step means for each member, as roster-provider.ts acts:
 * - create: every declared member is declared (the create adds those missing at Seam);
 * - delete (and delete-replaced): every member in the state is released (the delete removes
 *   each one nothing else declares);
 * - same / update: members in both the state and the inputs are kept; members only in the inputs
 *   are declared (the update adds them). An update never drops a member: the provider's diff
 *   replaces then.
 * - replace (and create-replacement): members in both stay (the new roster's create finds them
 *   at Seam, the old one's delete skips them: no change, not listed); members only in the old
 *   state are released; members only in the inputs are declared.
 * Each member step is named `<roster urn>[<member name>]`, so the review shows `lobby[ada]`.
 * Other fields of the step (engine flags a review may read) are kept on every member step, and
 * `rosterUrn` names the roster, for facts about the resource (targets, delete-first, deleted).
 */
import { unknownValue } from "../provider/inputs";
import { membershipId } from "../provider/membership-id";
import { isRoster, rosterFromState, RosterShape, validateRosterInputs } from "../provider/roster-inputs";
import { MembershipStep, ReviewInputError } from "./preview-file";

const maskedSecret = "[secret]";

/** The step itself when it is not a roster's; else one step per member (none for a roster with no members). */
export function rosterStepAsMemberships(step: MembershipStep): MembershipStep[] {
  if (!isRoster(step.old?.outputs) && !isRoster(step.new?.inputs)) return [step];
  const old = step.old ? oldRoster(step) : undefined;
  const now = step.new ? newRoster(step) : undefined;
  const oldByUser = new Map([...(old?.members ?? new Map<string, string>())].map(([name, id]) => [id, name] as const));
  const steps: MembershipStep[] = [];
  const member = (op: string, name: string, ids: { old?: string; new?: string }): MembershipStep => ({
    ...step,
    op,
    urn: `${step.urn}[${name}]`,
    name: `${step.name}[${name}]`,
    rosterUrn: step.urn,
    // Engine facts of the old state (retainOnDelete, deletedWith, pendingReplacement) hold for every member.
    old: ids.old === undefined ? undefined : { ...step.old, id: membershipId({ acsUserId: ids.old, acsAccessGroupId: old!.acsAccessGroupId }), outputs: pair(ids.old, old!.acsAccessGroupId) },
    new: ids.new === undefined ? undefined : { inputs: pair(ids.new, now!.acsAccessGroupId) },
  });

  const releasing = step.op === "delete" || step.op === "delete-replaced";
  const replacing = step.op === "replace" || step.op === "create-replacement";
  if (releasing || !now) {
    for (const [name, id] of old?.members ?? []) steps.push(member(step.op, name, { old: id }));
    return steps;
  }
  if (!old || step.op === "create") {
    for (const [name, id] of now.members) steps.push(member("create", name, { new: id }));
    return steps;
  }
  const sameGroup = old.acsAccessGroupId === now.acsAccessGroupId;
  const kept = new Set<string>();
  for (const [name, id] of now.members) {
    const before = sameGroup && id !== unknownValue ? oldByUser.get(id) : undefined;
    if (before !== undefined) {
      kept.add(id);
      steps.push(member("same", name, { old: id, new: id }));
    } else {
      steps.push(member("create", name, { new: id }));
    }
  }
  // An update never drops members (the provider's diff replaces then); a replacement releases them.
  if (replacing) {
    for (const [name, id] of old.members) if (!kept.has(id)) steps.push(member("delete-replaced", name, { old: id }));
  }
  return steps;
}

function pair(acsUserId: string, acsAccessGroupId: string): Record<string, unknown> {
  return { acsUserId, acsAccessGroupId };
}

function oldRoster(step: MembershipStep): RosterShape {
  const outputs = step.old!.outputs;
  if (outputs.members === maskedSecret || outputs.acsAccessGroupId === maskedSecret) {
    throw new ReviewInputError(`The preview hides the members of ${step.urn} as secrets, so what its \`${step.op}\` revokes cannot be shown. Review it by hand.`);
  }
  try {
    return rosterFromState(outputs);
  } catch (e) {
    throw new ReviewInputError(`The preview's \`${step.op}\` step for ${step.urn}: ${(e as Error).message}`);
  }
}

/** The roster the program declares; members not known until apply keep the unknown sentinel (the review lists them as unknown). */
function newRoster(step: MembershipStep): RosterShape {
  const { __provider: _provider, ...inputs } = step.new!.inputs;
  const group = inputs.acsAccessGroupId === maskedSecret ? unknownValue : inputs.acsAccessGroupId;
  if (inputs.members === unknownValue || inputs.members === maskedSecret) {
    return { acsAccessGroupId: group as string, list: false, members: new Map([["(not known until apply)", unknownValue]]) };
  }
  const checked = validateRosterInputs({ ...inputs, acsAccessGroupId: group });
  if (!checked.ok) {
    throw new ReviewInputError(`The preview declares ${step.urn} with inputs the provider rejects: ${checked.failures.map((f) => f.reason).join("; ")}.`);
  }
  return checked.roster;
}
