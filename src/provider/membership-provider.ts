/**
 * What AccessGroupMembership does, one method per engine call.
 *
 * This runs for every resource, including `delete` and `read` on state written by older
 * versions of the package (see runtime.ts), so it must keep accepting their outputs. Outputs
 * written since 0.1.0: `{ acsUserId, acsAccessGroupId, workspaceId }` (workspaceId may be absent).
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { MembershipIds, OperationAllowance, SeamClient } from "../seam/client";
import { SeamApiError, SeamOutcomeUnknownError } from "../seam/errors";
import { membershipType } from "../review/preview-file";
import { ConfigSource, resolveSettings, SeamSettings } from "../seam/settings";
import { deleteFirstByAutonaming } from "./autonaming";
import { Declarer, DeclarerRendezvous, dynamicDeclarer, processRendezvous } from "./declarers";
import { DeploymentFacts } from "./deployment-facts";
import { GroupMembersCache } from "./group-members-cache";
import { canonical, unknownValue, validateInputs } from "./inputs";
import { membershipId, parseMembershipId } from "./membership-id";
import { engineCancelSignal, sleepUnlessAborted } from "./engine-cancel";
import { decideRemoval } from "./removal-policy";
import { Clock, CreatedButFailedError, waitForSyncAfter, waitForSyncAfterAdd } from "./sync-wait";
import { RosterProvider } from "./roster-provider";
import { CredentialRefusals } from "./refused-credentials";
import { absentPairMessage } from "./absent-pair";
import { UnreachableOnce } from "./unreachable-once";

export type MembershipOutputs = {
  readonly acsUserId: string;
  readonly acsAccessGroupId: string;
  /** The workspace the membership was made in; guards read and delete against other credentials. */
  readonly workspaceId?: string;
  /** Only on a membership whose add could not be confirmed (see unconfirmedKey). */
  readonly addUnconfirmed?: true;
};

type Props = Record<string, unknown>;

/**
 * Output set (true) only on a membership recorded by a create that could not tell whether its add
 * took effect; the next update confirms it and drops it. Absent in every other state, old or new.
 */
const unconfirmedKey = "addUnconfirmed";

const noConfig: ConfigSource = { get: () => undefined };

/** What lives as long as one set of settings: the client (its pool and request budget) and what it read. */
interface Session {
  readonly key: string;
  readonly client: SeamClient;
  readonly groupMembers: GroupMembersCache;
  workspaceId?: Promise<string>;
}

/**
 * One per dynamic-provider host process, shared by every resource it serves: it holds the stack
 * config, one Seam client (one connection pool, one request budget), the group members read for
 * refresh, and what this deployment still declares.
 */
export class MembershipProvider implements dynamic.ResourceProvider<Props, Props> {
  private config: ConfigSource = noConfig;
  private cached: Session | undefined;
  /** What this deployment declares, holds and replaces: this process's, and through `declarers` the other processes'. */
  private readonly facts: DeploymentFacts;
  /** Seam refusing the credentials in read or delete, said once per process (refused-credentials.ts). */
  private readonly refusals = new CredentialRefusals();
  /** A Seam that cannot be reached, said with its endpoint by one resource of the run (unreachable-once.ts). */
  private readonly unreachable = new UnreachableOnce();
  /**
   * `check` ran: the engine runs the program, so the config is the stack's as it is now, not the
   * one stored with the last update. False proves nothing: `destroy --run-program` checks nothing.
   */
  private programRan = false;
  /** AccessGroupRoster shares this process, its client, its netting and the removal policy; calls are routed to it by shape. */
  private readonly rosters: RosterProvider;

  /**
   * `declarers`: who declares which pair across this deployment's provider processes (see
   * declarers.ts); by default the one keyed by the engine address this process was started with.
   */
  constructor(
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly declarers: DeclarerRendezvous = processRendezvous(),
  ) {
    this.facts = new DeploymentFacts(declarers);
    this.rosters = new RosterProvider({
      facts: this.facts,
      config: () => this.config,
      session: () => this.session(),
      settings: () => this.settings(),
      workspaceId: () => this.workspaceId(),
      declarers: () => this.declarers,
    });
  }

  async configure(req: dynamic.ConfigureRequest): Promise<void> {
    this.config = req.config;
    // Configure runs inside the engine's first call, so the host's server is up: watch for Cancel.
    engineCancelSignal();
  }

  /** seam:waitForSync's clock: its pauses end as soon as the engine cancels the run (Ctrl-C). */
  private readonly clock: Clock = { now: Date.now, random: Math.random, sleep: (ms) => sleepUnlessAborted(ms, engineCancelSignal()) };

  /**
   * `declarer`: the resource being checked, as the native provider knows it from the request's
   * URN; the dynamic-provider host passes only (olds, news), so its resources are dynamicDeclarer.
   */
  async check(olds: Props, news: Props, declarer: Declarer = dynamicDeclarer): Promise<dynamic.CheckResult<Props>> {
    this.programRan = true;
    if (RosterProvider.handles(news)) return this.rosters.check(olds, news, declarer);
    const result = validateInputs(news);
    if (!result.ok) return { inputs: news, failures: result.failures };
    // Missing or malformed credentials fail here, so `pulumi preview` reports them.
    this.settings();
    if (result.known) {
      // A pair declared twice in this deployment (in this process or another) is refused here, at preview.
      const conflict = this.declarers.claimPair(result.ids, declarer);
      if (conflict) return { inputs: news, failures: [{ property: "acsUserId", reason: conflict }] };
      this.facts.checked(result.ids);
    }
    return { inputs: { ...result.ids } };
  }

  async diff(id: string, olds: Props, news: Props): Promise<dynamic.DiffResult> {
    if (RosterProvider.handles(news)) return this.rosters.diff(id, olds, news);
    const names = ["acsUserId", "acsAccessGroupId"] as const;
    // Stored ids are compared as check spells the new ones: state written before UUIDs were
    // lower-cased must not read as another membership (its replacement would revoke the pair).
    const stored = (name: (typeof names)[number]) => (typeof olds[name] === "string" ? canonical(olds[name]) : olds[name]);
    const replaces = names.filter((name) => news[name] === unknownValue || news[name] !== stored(name));
    if (replaces.length > 0) {
      // Create the new membership first; the engine deletes the old one at the end of the
      // deployment, once every resource has been checked, so a pair that another resource still
      // declares is recognised (see removal-policy.ts). Deleting first would run before later
      // resources are checked and could revoke a pair that one of them still declares; the
      // stack's autonaming can force that order on every replacement, so refuse it here, at preview.
      const deleteFirst = deleteFirstByAutonaming(this.config.get("pulumi:autonaming"), membershipType);
      if (deleteFirst) {
        throw new Error(
          `AccessGroupMembership (acs_user_id=${String(olds.acsUserId)} acs_access_group_id=${String(olds.acsAccessGroupId)}) must be replaced ` +
            `(${replaces.join(", ")} changed), and ${deleteFirst}, which makes the engine delete it before creating its replacement: ` +
            "the remove would run before the rest of the program is checked and could revoke access another resource still declares. " +
            'Set pulumi:autonaming for pulumi-nodejs to mode default (e.g. providers: { "pulumi-nodejs": { mode: default } }) or give it a random part; nothing was changed.',
        );
      }
      if (typeof news.acsUserId === "string" && typeof news.acsAccessGroupId === "string") {
        this.facts.replacing(id, { acsUserId: news.acsUserId, acsAccessGroupId: news.acsAccessGroupId });
      }
      return { changes: true, replaces };
    }
    if (typeof news.acsUserId === "string" && typeof news.acsAccessGroupId === "string") {
      this.facts.kept({ acsUserId: news.acsUserId, acsAccessGroupId: news.acsAccessGroupId });
    }
    // Only the stored provider code, or the spelling of a stored id, differs: refresh the state
    // through `update`, calling nothing.
    return { changes: news.__provider !== olds.__provider || names.some((name) => news[name] !== olds[name]) };
  }

  async create(inputs: Props): Promise<dynamic.CreateResult<MembershipOutputs | Props>> {
    return this.unreachable.during(() => this.createResource(inputs));
  }

  private async createResource(inputs: Props): Promise<dynamic.CreateResult<MembershipOutputs | Props>> {
    if (RosterProvider.handles(inputs)) return this.rosters.create(inputs);
    const ids = idsOf(inputs, "create");
    this.facts.creating(ids);
    // Before the add: once access is granted, nothing may stand between it and the state.
    const workspaceId = await this.workspaceId();
    const { client, groupMembers } = this.session();
    const allowance = client.startOperation();
    const created = { id: membershipId(ids), outs: { ...outputsOf(ids), workspaceId } };
    try {
      await client.addUserToAccessGroup(ids, allowance);
    } catch (e) {
      // The last attempt may have reached Seam before it failed: if the user is in the group now,
      // the resource must enter the state, or nothing would ever revoke that access.
      try {
        await this.settle(e, ids, allowance, { tookEffectIf: true });
      } catch (unsure) {
        if (!(unsure instanceof SeamOutcomeUnknownError)) throw unsure;
        // Unsure whether access was granted: track it. A resource in state is cheap to remove;
        // access without one is a door nobody closes. The engine records it with this error and
        // calls `update` on the next run, which checks and completes it (see update).
        this.facts.recorded(ids);
        throw new CreatedButFailedError(
          `${unsure.message} The membership is recorded in the state as unconfirmed, so it stays tracked; the next \`pulumi up\` ` +
            "checks it at Seam and adds it if it is missing.",
          created.id,
          { ...created.outs, [unconfirmedKey]: true, __provider: inputs.__provider },
        );
      }
    } finally {
      groupMembers.forget(ids.acsAccessGroupId);
    }
    this.facts.recorded(ids);
    await waitForSyncAfterAdd(() => this.session().client, this.settings().sync, created, inputs, this.clock);
    return created;
  }

  async read(id: string, props: Props = {}): Promise<dynamic.ReadResult<MembershipOutputs | Props>> {
    return this.unreachable.during(() => this.refusals.during(this.subject("read", id, props), () => this.refusalContext(), () => this.readResource(id, props)));
  }

  private async readResource(id: string, props: Props): Promise<dynamic.ReadResult<MembershipOutputs | Props>> {
    if (RosterProvider.handles(props, id)) return this.rosters.read(id, props);
    const ids = idsFromState(id, props);
    await this.sameWorkspace(props, ids, "read");
    // One list of the group's members answers every membership of that group in this refresh.
    if (!(await this.session().groupMembers.isMember(ids.acsAccessGroupId, ids.acsUserId))) {
      // Gone (the membership, the user or the group): an empty id tells the engine to drop it
      // from state, and the next `pulumi up` adds it again.
      return { id: "" };
    }
    return { id: membershipId(ids), props: { ...outputsOf(ids), workspaceId: await this.workspaceId() }, inputs: outputsOf(ids) };
  }

  /** The Seam workspace the configured credentials act in (one look-up per client); for the native provider's workspace claim. */
  currentWorkspaceId(): Promise<string> {
    return this.workspaceId();
  }

  /** Why `pulumi import` of this pair finds nothing, in Seam's terms (native provider; absent-pair.ts). */
  absentPairMessage(ids: MembershipIds): Promise<string> {
    return absentPairMessage(this.session().client, ids);
  }

  /** `pulumi import` of a roster by its group id (native provider; see RosterProvider.adopt). */
  adoptRoster(acsAccessGroupId: string): Promise<dynamic.ReadResult<Props>> {
    return this.rosters.adopt(acsAccessGroupId);
  }

  async update(id: string, olds: Props, news: Props): Promise<dynamic.UpdateResult<MembershipOutputs | Props>> {
    return this.unreachable.during(() => this.updateResource(id, olds, news));
  }

  private async updateResource(id: string, olds: Props, news: Props): Promise<dynamic.UpdateResult<MembershipOutputs | Props>> {
    if (RosterProvider.handles(news)) return this.rosters.update(id, olds, news);
    const workspaceId = typeof olds.workspaceId === "string" ? olds.workspaceId : undefined;
    const ids = idsOf(news, "update");
    if (olds[unconfirmedKey] === true) await this.confirmAdd(ids);
    this.facts.recorded(ids);
    await waitForSyncAfter("update", () => this.session().client, this.settings().sync, ids, this.clock);
    return { outs: { ...outputsOf(ids), ...(workspaceId ? { workspaceId } : {}) } };
  }

  /**
   * A create recorded as unconfirmed (its add's answer was lost and the check failed too): the
   * engine updates such a resource on the next run. The program still declares the pair, so make
   * Seam agree: read whether the user is in the group, and add only if not (an add is sent at
   * most once per run, so a repeated add never doubles the membership).
   */
  private async confirmAdd(ids: MembershipIds): Promise<void> {
    const { client, groupMembers } = this.session();
    if (await client.isMember(ids)) return;
    const allowance = client.startOperation();
    try {
      await client.addUserToAccessGroup(ids, allowance);
    } catch (e) {
      await this.settle(e, ids, allowance, { tookEffectIf: true });
    } finally {
      groupMembers.forget(ids.acsAccessGroupId);
    }
  }

  async delete(id: string, props: Props): Promise<void> {
    return this.unreachable.during(() => this.refusals.during(this.subject("delete", id, props), () => this.refusalContext(), () => this.deleteResource(id, props)));
  }

  private async deleteResource(id: string, props: Props): Promise<void> {
    if (RosterProvider.handles(props, id)) return this.rosters.delete(id, props);
    const ids = idsFromState(id, props);
    const decision = decideRemoval(ids, this.facts.forDelete(id, ids));
    if (decision.action === "skip") return;
    if (decision.action === "refuse") throw new Error(`AccessGroupMembership delete refused: ${decision.why}`);
    await this.sameWorkspace(props, ids, "delete");
    const { client, groupMembers } = this.session();
    const allowance = client.startOperation();
    try {
      await client.removeUserFromAccessGroup(ids, allowance);
    } catch (e) {
      // Already gone is what a delete wants.
      if (e instanceof SeamApiError && e.isNotFound) return;
      // The last attempt may have reached Seam before it failed; the state may let go only of
      // access that is really gone. Anything else keeps the resource in state.
      await this.settle(e, ids, allowance, { tookEffectIf: false });
    } finally {
      groupMembers.forget(ids.acsAccessGroupId);
    }
    await waitForSyncAfter("delete", () => this.session().client, this.settings().sync, ids, this.clock);
  }

  /**
   * After an add or remove failed: returns if it took effect after all (membership is then
   * `tookEffectIf`), else throws. The check is never answered from the group cache, and runs
   * within what is left of the operation's deadline and attempts, not a second full cycle.
   */
  private async settle(error: unknown, ids: MembershipIds, allowance: OperationAllowance, { tookEffectIf }: { tookEffectIf: boolean }): Promise<void> {
    if (!(error instanceof SeamApiError && error.outcomeUnknown)) throw error;
    const { client } = this.session();
    let member: boolean;
    try {
      member = await client.isMember(ids, client.settlingAllowance(allowance));
    } catch (checkError) {
      throw new SeamOutcomeUnknownError(error, checkError as Error);
    }
    if (member !== tookEffectIf) throw error;
  }

  /** How a read or delete names its resource in an error, e.g. `AccessGroupMembership delete (acs_user_id=… acs_access_group_id=…)`. */
  private subject(operation: "read" | "delete", id: string, props: Props): string {
    if (RosterProvider.handles(props, id)) return RosterProvider.subject(operation, props);
    const ids = idsFromState(id, props);
    return `AccessGroupMembership ${operation} (acs_user_id=${ids.acsUserId} acs_access_group_id=${ids.acsAccessGroupId})`;
  }

  private refusalContext() {
    return { auth: this.settings().auth, programRan: this.programRan };
  }

  /** Closes the connection pool; for tests and scripts that outlive their use of the provider. */
  async close(): Promise<void> {
    await this.cached?.client.close();
    this.cached = undefined;
  }

  /**
   * The workspace the credentials act in, once per client. In another workspace than the one a
   * membership was made in, Seam answers "not found" for it, which read and delete would take
   * for "gone": the state would let go of access that still exists. So they refuse instead.
   */
  private async sameWorkspace(props: Props, ids: MembershipIds, operation: string): Promise<void> {
    if (typeof props.workspaceId !== "string") return; // state from before workspaces were recorded
    const current = await this.workspaceId();
    if (props.workspaceId !== current) {
      throw new Error(
        `AccessGroupMembership ${operation} (acs_user_id=${ids.acsUserId} acs_access_group_id=${ids.acsAccessGroupId}): ` +
          `the membership was made in Seam workspace ${props.workspaceId}, but the configured credentials act in ` +
          `workspace ${current}. Configure credentials for ${props.workspaceId}; nothing was changed.`,
      );
    }
  }

  private workspaceId(): Promise<string> {
    const cached = this.session();
    cached.workspaceId ??= cached.client.workspaceId();
    // A failed look-up is not remembered: the next call asks again.
    cached.workspaceId.catch(() => {
      if (this.cached === cached) cached.workspaceId = undefined;
    });
    return cached.workspaceId;
  }

  private settings(): SeamSettings {
    return resolveSettings(this.config, this.env);
  }

  /** One client (connection pool and request budget) and its reads, for as long as the settings stay the same. */
  private session(): Session {
    const current = this.settings();
    const key = JSON.stringify(current);
    if (this.cached?.key !== key) {
      const client = new SeamClient(current);
      this.cached = { key, client, groupMembers: new GroupMembersCache((group) => client.listAccessGroupUsers(group), canonical) };
    }
    return this.cached;
  }
}

function outputsOf(ids: MembershipIds): MembershipOutputs {
  return { acsUserId: ids.acsUserId, acsAccessGroupId: ids.acsAccessGroupId };
}

function idsOf(props: Props, operation: string): MembershipIds {
  const { acsUserId, acsAccessGroupId } = props;
  if (typeof acsUserId !== "string" || typeof acsAccessGroupId !== "string") {
    throw new Error(`AccessGroupMembership ${operation}: acsUserId and acsAccessGroupId must be strings (check should have caught this).`);
  }
  return { acsUserId, acsAccessGroupId };
}

/**
 * Old outputs, or the resource id when outputs are missing (a `get` passes only the id), spelled
 * as check spells ids (canonical): state from before UUIDs were lower-cased must match the pairs
 * the deployment declares, or a delete would revoke a pair that is still declared.
 */
export function idsFromState(id: string, props: Props): MembershipIds {
  const { acsUserId, acsAccessGroupId } = props;
  const ids = typeof acsUserId === "string" && typeof acsAccessGroupId === "string" ? { acsUserId, acsAccessGroupId } : parseMembershipId(id);
  if (!ids) {
    throw new Error(`AccessGroupMembership id ${JSON.stringify(id)} is not <acsAccessGroupId>/<acsUserId>, and the state holds no ids.`);
  }
  return { acsUserId: canonical(ids.acsUserId), acsAccessGroupId: canonical(ids.acsAccessGroupId) };
}
