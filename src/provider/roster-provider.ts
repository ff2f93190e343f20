/**
 * What AccessGroupRoster does, one method per engine call: one resource holds a group's member
 * set. It runs in the same provider process as AccessGroupMembership (the serialized provider
 * routes by shape, see roster-inputs.ts) and shares its client, request budget, group reads and
 * DeploymentFacts, so roster members and plain memberships net alike under one removal policy
 * (removal-policy.ts).
 *
 * The rules:
 * - `check` declares every pair the roster holds, as a membership's check declares its one pair.
 * - A roster that only gains members updates in place (adds only); one that loses members is
 *   replaced create-first (roster-plan.ts), so removals happen only in a delete, which the engine
 *   runs after every resource of the deployment has been checked.
 * - create and update read the group once and add only the members missing at Seam.
 * - delete decides each member with decideRemoval: remove, skip (another resource holds the pair)
 *   or refuse; one refused member refuses the whole delete before any request.
 * - The outputs hold exactly the members in place at Seam: when some adds fail, the error
 *   carries `id` and `properties`, so the engine records the partial state and the next `up`
 *   adds the rest (`@pulumi/pulumi` cmd/dynamic-provider, grpcResponseFromError).
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import type { MembershipIds, SeamClient } from "../seam/client";
import { SeamApiError } from "../seam/errors";
import type { SeamSettings } from "../seam/settings";
import { deleteFirstByAutonaming } from "./autonaming";
import type { Declarer, DeclarerRendezvous } from "./declarers";
import type { DeploymentFacts } from "./deployment-facts";
import type { GroupMembersCache } from "./group-members-cache";
import { canonical, unknownValue } from "./inputs";
import { isRoster, memberIds, membersProperty, rosterFromState, rosterId, rosterPairs, RosterShape, validateRosterInputs } from "./roster-inputs";
import { membersInPlace, missingFrom, planRosterDiff } from "./roster-plan";
import { decideRemoval } from "./removal-policy";
import { waitForRosterSync } from "./roster-sync-wait";
import { CreatedButFailedError } from "./sync-wait";

type Props = Record<string, unknown>;

/** The engine's type token for a roster, as pulumi:autonaming names it. */
const rosterType = "pulumi-nodejs:dynamic/seam:AccessGroupRoster";

/** What the roster shares with the membership provider of the same process. */
export interface RosterHost {
  readonly facts: DeploymentFacts;
  /** The stack config the engine passed to configure (for pulumi:autonaming). */
  config(): { get(key: string): string | undefined };
  session(): { readonly client: SeamClient; readonly groupMembers: GroupMembersCache };
  settings(): SeamSettings;
  workspaceId(): Promise<string>;
  /** Who declares which pair across the deployment's provider processes (declarers.ts). */
  declarers(): DeclarerRendezvous;
}

/** One member's add or remove: done, failed for sure, or sent without a readable answer. */
type Outcome = { readonly id: string; readonly result: "done" | "failed" | "unsure"; readonly error?: unknown };

export class RosterProvider {
  constructor(private readonly host: RosterHost) {}

  /** Whether this engine call is for a roster (see roster-inputs.ts). */
  static handles(props: Props | undefined, id?: string): boolean {
    return isRoster(props, id);
  }

  /** How a read or delete names the roster in an error: `AccessGroupRoster delete (acs_access_group_id=…)`. */
  static subject(operation: "read" | "delete", props: Props): string {
    return `AccessGroupRoster ${operation} (acs_access_group_id=${rosterFromState(props).acsAccessGroupId})`;
  }

  async check(_olds: Props, news: Props, declarer: Declarer): Promise<dynamic.CheckResult<Props>> {
    const result = validateRosterInputs(news);
    if (!result.ok) return { inputs: news, failures: result.failures };
    this.host.settings();
    // A member another resource of this deployment also declares is refused here, at preview.
    const conflicts = rosterPairs(result.roster).flatMap((pair) => this.host.declarers().claimPair(pair, declarer) ?? []);
    if (conflicts.length > 0) return { inputs: news, failures: conflicts.map((reason) => ({ property: "members", reason })) };
    for (const pair of rosterPairs(result.roster)) this.host.facts.checked(pair);
    const { roster } = result;
    const members = news.members === unknownValue ? unknownValue : membersProperty(roster.list, roster.members);
    return { inputs: { acsAccessGroupId: roster.acsAccessGroupId, members } };
  }

  async diff(id: string, olds: Props, news: Props): Promise<dynamic.DiffResult> {
    const checked = validateRosterInputs(stripProvider(news));
    const before = rosterFromState(olds);
    const plan = checked.ok ? planRosterDiff(before, checked.roster, news.__provider !== olds.__provider) : undefined;
    if (plan === undefined || plan.kind === "replace") {
      // As for memberships (membership-provider.ts diff): the stack's autonaming can force a
      // delete-first replacement, whose removes would run before the rest is checked.
      const deleteFirst = deleteFirstByAutonaming(this.host.config().get("pulumi:autonaming"), rosterType);
      if (deleteFirst) {
        throw new Error(
          `AccessGroupRoster (acs_access_group_id=${before.acsAccessGroupId}) must be replaced, and ${deleteFirst}, which makes the engine delete it ` +
            "before creating its replacement: its removes would run before the rest of the program is checked and could revoke access another " +
            'resource still declares. Set pulumi:autonaming for pulumi-nodejs to mode default (e.g. providers: { "pulumi-nodejs": { mode: default } }) ' +
            "or give it a random part; nothing was changed.",
        );
      }
      const group = checked.ok && typeof checked.roster.acsAccessGroupId === "string" ? checked.roster.acsAccessGroupId : undefined;
      if (group !== undefined) this.host.facts.replacingRoster(id, rosterId(canonical(group)));
      return { changes: true, replaces: [plan?.kind === "replace" && plan.why === "group" ? "acsAccessGroupId" : "members"], deleteBeforeReplace: false };
    }
    // Kept without a replacement: every old member stays held by this roster.
    this.host.facts.keptAll(rosterPairs(before));
    return { changes: plan.kind === "update" };
  }

  async create(inputs: Props): Promise<dynamic.CreateResult<Props>> {
    const roster = this.declaredRoster(inputs, "create");
    const workspaceId = await this.host.workspaceId();
    const id = rosterId(roster.acsAccessGroupId);
    this.host.facts.creatingRoster(id);
    const { inPlace, failures, changed } = await this.addMissing(roster.acsAccessGroupId, memberIds(roster), new Set());
    return this.finish("create", id, roster, inPlace, failures, changed, { workspaceId }, inputs);
  }

  async update(id: string, olds: Props, news: Props): Promise<dynamic.UpdateResult<Props>> {
    const roster = this.declaredRoster(news, "update");
    const before = rosterFromState(olds);
    const lost = [...memberIds(before)].filter((m) => !memberIds(roster).has(m));
    if (lost.length > 0 || before.acsAccessGroupId !== roster.acsAccessGroupId) {
      // diff replaces whenever members leave; an update that would drop one would stop tracking access.
      throw new Error(`AccessGroupRoster update (acs_access_group_id=${roster.acsAccessGroupId}): ${lost.length} members would leave in place; that is a replacement. Nothing was changed.`);
    }
    const workspaceId = typeof olds.workspaceId === "string" ? { workspaceId: olds.workspaceId } : {};
    const { inPlace, failures, changed } = await this.addMissing(roster.acsAccessGroupId, memberIds(roster), memberIds(before));
    return { outs: await this.finish("update", id, roster, inPlace, failures, changed, workspaceId, news).then((r) => r.outs) };
  }

  async read(id: string, props: Props = {}): Promise<dynamic.ReadResult<Props>> {
    const roster = rosterFromState(props);
    await this.sameWorkspace(props, roster, "read");
    // One list of the group's members answers every roster (and membership) of the group.
    const atSeam = (await this.host.session().groupMembers.members(roster.acsAccessGroupId)) ?? new Set<string>();
    const kept = membersProperty(roster.list, membersInPlace(roster.members, atSeam));
    const base = { acsAccessGroupId: roster.acsAccessGroupId, members: kept };
    return { id, props: { ...base, workspaceId: await this.host.workspaceId() }, inputs: base };
  }

  /**
   * `pulumi import` of a roster (native provider): every member the group has at Seam now, as a
   * plain list, read fresh (not from the refresh cache). Shape as `read` returns it; `{ id: "" }`
   * (not found) when Seam has no such group.
   */
  async adopt(acsAccessGroupId: string): Promise<dynamic.ReadResult<Props>> {
    const group = canonical(acsAccessGroupId);
    const { client } = this.host.session();
    const listed = await client.listAccessGroupUsers(group);
    if (listed === undefined) return { id: "" };
    const base = { acsAccessGroupId: group, members: [...new Set(listed.map(canonical))].sort() };
    return { id: rosterId(group), props: { ...base, workspaceId: await this.host.workspaceId() }, inputs: base };
  }

  async delete(id: string, props: Props): Promise<void> {
    const roster = rosterFromState(props);
    const group = roster.acsAccessGroupId;
    const toRemove: string[] = [];
    for (const acsUserId of memberIds(roster)) {
      const decision = decideRemoval({ acsUserId, acsAccessGroupId: group }, this.host.facts.forDelete(id, { acsUserId, acsAccessGroupId: group }));
      // One refused member refuses the delete before any request: the roster stays in state whole.
      if (decision.action === "refuse") throw new Error(`AccessGroupRoster delete (acs_access_group_id=${group}) refused: ${decision.why}`);
      if (decision.action === "remove") toRemove.push(acsUserId);
    }
    if (toRemove.length === 0) return;
    await this.sameWorkspace(props, roster, "delete");
    const { client, groupMembers } = this.host.session();
    let outcomes: Outcome[];
    try {
      outcomes = await Promise.all(toRemove.map((acsUserId) => this.send(client, "remove", { acsUserId, acsAccessGroupId: group })));
    } finally {
      groupMembers.forget(group);
    }
    const unsure = outcomes.filter((o) => o.result === "unsure");
    let stillThere = new Set<string>();
    if (unsure.length > 0) stillThere = (await this.settle(client, group)) ?? new Set(unsure.map((o) => o.id));
    const failed = outcomes.filter((o) => o.result === "failed" || (o.result === "unsure" && stillThere.has(o.id)));
    // Refused credentials are said as such (refused-credentials.ts), not as one failure among the members'.
    const refused = failed.find((o) => o.error instanceof SeamApiError && o.error.refusesCredentials);
    if (refused) throw refused.error;
    if (failed.length > 0) {
      // A delete cannot record partial state: the roster stays in state whole, and the next
      // `up` or `destroy` removes again (a member already gone counts as removed).
      throw new Error(
        `AccessGroupRoster delete (acs_access_group_id=${group}): ${failed.length} of ${toRemove.length} removes failed, so the roster stays in the state ` +
          `and the next run removes again. First failure: ${message(failed[0]!.error)}`,
      );
    }
    await waitForRosterSync(() => this.host.session().client, group, toRemove, this.host.settings().sync);
  }

  /**
   * Reads the group once and adds each wanted member missing at Seam, all through the shared
   * request budget. `alreadyHeld`: members the state already tracks (an update's old members),
   * which stay in place even when the read does not show them (refresh is what drops those).
   */
  private async addMissing(group: string, wanted: ReadonlySet<string>, alreadyHeld: ReadonlySet<string>) {
    const { client, groupMembers } = this.host.session();
    const candidates = missingFrom(wanted, alreadyHeld);
    if (candidates.length === 0) return { inPlace: new Set(wanted), failures: [] as Outcome[], changed: [] as string[] };
    let outcomes: Outcome[] = [];
    let present: ReadonlySet<string>;
    try {
      const listed = await client.listAccessGroupUsers(group);
      if (listed === undefined) throw new Error(`AccessGroupRoster (acs_access_group_id=${group}): Seam has no such access group; nothing was added.`);
      present = new Set(listed.map(canonical));
      const toAdd = missingFrom(candidates, present);
      outcomes = await Promise.all(toAdd.map((acsUserId) => this.send(client, "add", { acsUserId, acsAccessGroupId: group })));
    } finally {
      groupMembers.forget(group);
    }
    const unsure = outcomes.filter((o) => o.result === "unsure");
    // When unsure whether an add took effect, read the group once more; if that fails too, track
    // the member (access nobody tracks is a door nobody closes; refresh corrects the other case).
    const settled = unsure.length > 0 ? ((await this.settle(client, group)) ?? new Set(unsure.map((o) => o.id))) : new Set<string>();
    const added = outcomes.filter((o) => o.result === "done" || (o.result === "unsure" && settled.has(o.id))).map((o) => o.id);
    const inPlace = new Set([...alreadyHeld, ...[...wanted].filter((id) => present.has(id)), ...added]);
    const failures = outcomes.filter((o) => !inPlace.has(o.id));
    return { inPlace, failures, changed: added };
  }

  /**
   * The outputs for the members in place. When some adds failed, or the sync wait did, the error
   * carries `id` and `properties` (with `__provider`, which the host does not add to a failed
   * step's properties), so the engine records exactly what is in place and fails the step.
   */
  private async finish(
    operation: "create" | "update",
    id: string,
    roster: RosterShape,
    inPlace: ReadonlySet<string>,
    failures: readonly Outcome[],
    changed: readonly string[],
    extra: Props,
    inputs: Props,
  ): Promise<{ id: string; outs: Props }> {
    // Every member in place is held by this roster, even when the step fails below.
    this.host.facts.recordedAll([...inPlace].map((acsUserId) => ({ acsUserId, acsAccessGroupId: roster.acsAccessGroupId })));
    const outs = { acsAccessGroupId: roster.acsAccessGroupId, members: membersProperty(roster.list, membersInPlace(roster.members, inPlace)), ...extra };
    const partial = (text: string) => new CreatedButFailedError(text, id, { ...outs, __provider: inputs.__provider });
    if (failures.length > 0) {
      throw partial(
        `AccessGroupRoster ${operation} (acs_access_group_id=${roster.acsAccessGroupId}): ${failures.length} of ${memberIds(roster).size} members could not be added; ` +
          `the state records the ${inPlace.size} in place, and the next \`pulumi up\` adds the rest. First failure: ${message(failures[0]!.error)}`,
      );
    }
    try {
      await waitForRosterSync(() => this.host.session().client, roster.acsAccessGroupId, changed, this.host.settings().sync);
    } catch (e) {
      throw partial(message(e));
    }
    return { id, outs };
  }

  private async send(client: SeamClient, what: "add" | "remove", ids: MembershipIds): Promise<Outcome> {
    try {
      if (what === "add") await client.addUserToAccessGroup(ids);
      else await client.removeUserFromAccessGroup(ids);
      return { id: ids.acsUserId, result: "done" };
    } catch (e) {
      // Already gone is what a remove wants.
      if (what === "remove" && e instanceof SeamApiError && e.isNotFound) return { id: ids.acsUserId, result: "done" };
      const unsure = e instanceof SeamApiError && e.outcomeUnknown;
      return { id: ids.acsUserId, result: unsure ? "unsure" : "failed", error: e };
    }
  }

  /** The group's members read again (not from the cache), or undefined when that read fails. */
  private async settle(client: SeamClient, group: string): Promise<Set<string> | undefined> {
    try {
      const listed = await client.listAccessGroupUsers(group);
      return new Set((listed ?? []).map(canonical));
    } catch {
      return undefined;
    }
  }

  /** As for memberships: in another workspace Seam answers "not found", which must not read as "gone". */
  private async sameWorkspace(props: Props, roster: RosterShape, operation: string): Promise<void> {
    if (typeof props.workspaceId !== "string") return;
    const current = await this.host.workspaceId();
    if (props.workspaceId !== current) {
      throw new Error(
        `AccessGroupRoster ${operation} (acs_access_group_id=${roster.acsAccessGroupId}): the roster was made in Seam workspace ${props.workspaceId}, ` +
          `but the configured credentials act in workspace ${current}. Configure credentials for ${props.workspaceId}; nothing was changed.`,
      );
    }
  }

  private declaredRoster(props: Props, operation: string): RosterShape {
    const checked = validateRosterInputs(stripProvider(props));
    if (!checked.ok || !checked.known) {
      throw new Error(`AccessGroupRoster ${operation}: the inputs are not a known roster (check should have caught this).`);
    }
    return checked.roster;
  }
}

function stripProvider(props: Props): Props {
  const { __provider: _provider, ...rest } = props;
  return rest;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
