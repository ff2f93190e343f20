/**
 * What AccessGroupMembership does, one method per engine call.
 *
 * This runs for every resource, including `delete` and `read` on state written by older
 * versions of the package (see runtime.ts), so it must keep accepting their outputs. Outputs
 * written since 0.1.0: `{ acsUserId, acsAccessGroupId, workspaceId }` (workspaceId may be absent).
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { MembershipIds, SeamClient } from "../seam/client";
import { SeamApiError } from "../seam/errors";
import { ConfigSource, resolveSettings, SeamSettings } from "../seam/settings";
import { DeclaredMemberships } from "./declared-memberships";
import { unknownValue, validateInputs } from "./inputs";
import { membershipId, parseMembershipId } from "./membership-id";

export type MembershipOutputs = {
  readonly acsUserId: string;
  readonly acsAccessGroupId: string;
  /** The workspace the membership was made in; guards read and delete against other credentials. */
  readonly workspaceId?: string;
};

type Props = Record<string, unknown>;

const noConfig: ConfigSource = { get: () => undefined };

/**
 * One per dynamic-provider host process, shared by every resource it serves: it holds the stack
 * config, one Seam client (one connection pool) and what this deployment still declares.
 */
export class MembershipProvider implements dynamic.ResourceProvider<Props, Props> {
  private config: ConfigSource = noConfig;
  private cached: { key: string; client: SeamClient; workspaceId?: Promise<string> } | undefined;
  private readonly declared = new DeclaredMemberships();

  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  async configure(req: dynamic.ConfigureRequest): Promise<void> {
    this.config = req.config;
  }

  async check(_olds: Props, news: Props): Promise<dynamic.CheckResult<Props>> {
    const result = validateInputs(news);
    if (!result.ok) return { inputs: news, failures: result.failures };
    // Missing or malformed credentials fail here, so `pulumi preview` reports them.
    this.settings();
    if (result.known) this.declared.declare(result.ids);
    return { inputs: { ...result.ids } };
  }

  async diff(_id: string, olds: Props, news: Props): Promise<dynamic.DiffResult> {
    const replaces = (["acsUserId", "acsAccessGroupId"] as const).filter(
      (name) => news[name] === unknownValue || news[name] !== olds[name],
    );
    if (replaces.length > 0) {
      // Create the new membership first; the engine deletes the old one at the end of the
      // deployment, once every resource has been checked, so a pair that another resource still
      // declares is recognised (see DeclaredMemberships). Deleting first would run before later
      // resources are checked and could revoke a pair that one of them still declares.
      return { changes: true, replaces };
    }
    // Only the stored provider code differs: refresh it in state through `update`, calling nothing.
    return { changes: news.__provider !== olds.__provider };
  }

  async create(inputs: Props): Promise<dynamic.CreateResult<MembershipOutputs>> {
    const ids = idsOf(inputs, "create");
    // Before the add: once access is granted, nothing may stand between it and the state.
    const workspaceId = await this.workspaceId();
    try {
      await this.seam().addUserToAccessGroup(ids);
    } catch (e) {
      // The last attempt may have reached Seam before it failed: if the user is in the group now,
      // the resource must enter the state, or nothing would ever revoke that access.
      if (!(e instanceof SeamApiError && e.outcomeUnknown && (await this.seam().isMember(ids)))) throw e;
    }
    return { id: membershipId(ids), outs: { ...outputsOf(ids), workspaceId } };
  }

  async read(id: string, props: Props = {}): Promise<dynamic.ReadResult<MembershipOutputs>> {
    const ids = idsFromState(id, props);
    await this.sameWorkspace(props, ids, "read");
    if (!(await this.seam().isMember(ids))) {
      // Gone (the membership, the user or the group): an empty id tells the engine to drop it
      // from state, and the next `pulumi up` adds it again.
      return { id: "" };
    }
    return { id: membershipId(ids), props: { ...outputsOf(ids), workspaceId: await this.workspaceId() }, inputs: outputsOf(ids) };
  }

  async update(_id: string, olds: Props, news: Props): Promise<dynamic.UpdateResult<MembershipOutputs>> {
    const workspaceId = typeof olds.workspaceId === "string" ? olds.workspaceId : undefined;
    return { outs: { ...outputsOf(idsOf(news, "update")), ...(workspaceId ? { workspaceId } : {}) } };
  }

  async delete(id: string, props: Props): Promise<void> {
    const ids = idsFromState(id, props);
    if (this.declared.isDeclared(ids)) return;
    await this.sameWorkspace(props, ids, "delete");
    try {
      await this.seam().removeUserFromAccessGroup(ids);
    } catch (e) {
      if (!(e instanceof SeamApiError)) throw e;
      // Already gone is what a delete wants.
      if (e.isNotFound) return;
      // The last attempt may have reached Seam before it failed; the state may let go only of
      // access that is really gone. Anything else keeps the resource in state.
      if (e.outcomeUnknown && !(await this.seam().isMember(ids))) return;
      throw e;
    }
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
    const client = this.seam();
    const cached = this.cached!;
    cached.workspaceId ??= client.workspaceId();
    // A failed look-up is not remembered: the next call asks again.
    cached.workspaceId.catch(() => {
      if (this.cached === cached) cached.workspaceId = undefined;
    });
    return cached.workspaceId;
  }

  private settings(): SeamSettings {
    return resolveSettings(this.config, this.env);
  }

  /** One client (and connection pool) for as long as the settings stay the same. */
  private seam(): SeamClient {
    const current = this.settings();
    const key = JSON.stringify(current);
    if (this.cached?.key !== key) this.cached = { key, client: new SeamClient(current) };
    return this.cached.client;
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

/** Old outputs, or the resource id when outputs are missing (a `get` passes only the id). */
export function idsFromState(id: string, props: Props): MembershipIds {
  const { acsUserId, acsAccessGroupId } = props;
  if (typeof acsUserId === "string" && typeof acsAccessGroupId === "string") return { acsUserId, acsAccessGroupId };
  const parsed = parseMembershipId(id);
  if (!parsed) {
    throw new Error(`AccessGroupMembership id ${JSON.stringify(id)} is not <acsAccessGroupId>/<acsUserId>, and the state holds no ids.`);
  }
  return parsed;
}
