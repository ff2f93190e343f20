/**
 * The native resource types as calls on the one MembershipProvider of this process (which routes
 * rosters to its RosterProvider): the same checks, netting, removal policy, client and request
 * budget as the dynamic provider. This file only translates: property names (roster-shape.ts),
 * ids for `pulumi import`, and the detailed diff.
 */
import type { DeclarerRendezvous } from "../provider/declarers";
import type { MembershipProvider } from "../provider/membership-provider";
import { seamIdProblem } from "../provider/inputs";
import { parseMembershipId } from "../provider/membership-id";
import { rosterIdPrefix } from "../provider/roster-inputs";
import { CreatedButFailedError } from "../provider/sync-wait";
import { DetailedDiff, membershipDetailedDiff, rosterDetailedDiff } from "./detailed-diff";
import { nativeFailure, toNativeRoster, toSharedRoster } from "./roster-shape";
import type { ProviderIdentity } from "./provider-config";
import type { Props } from "./struct";
import { NativeKind, nameOf } from "./type-tokens";

export interface CheckOutcome {
  readonly inputs: Props;
  readonly failures: readonly { property: string; reason: string }[];
}

export interface DiffOutcome {
  readonly changes: boolean;
  readonly replaces: readonly string[];
  readonly detailedDiff: DetailedDiff;
}

export interface ReadOutcome {
  /** Empty when the resource is gone (the engine drops it from the state). */
  readonly id: string;
  readonly props?: Props;
  readonly inputs?: Props;
}

export class NativeResources {
  private workspaceClaim: Promise<void> | undefined;

  /** `identity`: the provider instance this process is (known from Configure). */
  constructor(
    private readonly provider: MembershipProvider,
    private readonly declarers: DeclarerRendezvous,
    private readonly identity: () => ProviderIdentity,
  ) {}

  /** `urn`: the resource's; it names the declarer when its pair is declared twice. */
  async check(kind: NativeKind, urn: string, olds: Props, news: Props): Promise<CheckOutcome> {
    const shared = kind === "roster" ? toSharedRoster(news) : news;
    if (kind === "roster" && !("members" in shared)) shared.members = undefined;
    const provider = this.identity();
    const declarer = { resource: urn, label: `${kind === "roster" ? "AccessGroupRoster" : "AccessGroupMembership"} "${nameOf(urn)}"`, provider: provider.label };
    const result = await this.provider.check(kind === "roster" ? toSharedRoster(olds) : olds, shared, declarer);
    const failures = (result.failures ?? []).map((f) => (kind === "roster" ? nativeFailure(f) : f));
    if (failures.length === 0) await this.claimWorkspace(provider);
    const inputs = (result.inputs ?? news) as Props;
    return { inputs: kind === "roster" ? toNativeRoster(inputs) : inputs, failures };
  }

  /**
   * One provider instance per Seam workspace in a deployment (declarers.ts): claimed at the first
   * resource this instance checks, with the workspace its credentials act in (one look-up).
   */
  private claimWorkspace(provider: ProviderIdentity): Promise<void> {
    const claim = (this.workspaceClaim ??= this.provider.currentWorkspaceId().then((workspace) => {
      const refusal = this.declarers.claimWorkspace(workspace, provider.urn || `pid ${process.pid}`, provider.label);
      if (refusal) throw new Error(refusal);
    }));
    // A failed look-up (or a refusal) is not kept: the next check asks again.
    claim.catch(() => {
      if (this.workspaceClaim === claim) this.workspaceClaim = undefined;
    });
    return claim;
  }

  async diff(kind: NativeKind, id: string, olds: Props, news: Props): Promise<DiffOutcome> {
    if (kind === "membership") {
      const result = await this.provider.diff(id, olds, news);
      const replaces = result.replaces ?? [];
      return { changes: result.changes === true, replaces, detailedDiff: membershipDetailedDiff(olds, news, replaces) };
    }
    const sharedOlds = toSharedRoster(olds);
    const sharedNews = toSharedRoster(news);
    const result = await this.provider.diff(id, sharedOlds, sharedNews);
    const replaces = (result.replaces ?? []).map((p) => (p === "members" ? "acsUserIds" : p));
    return { changes: result.changes === true, replaces, detailedDiff: rosterDetailedDiff(sharedOlds, sharedNews) };
  }

  async create(kind: NativeKind, inputs: Props): Promise<{ id: string; outs: Props }> {
    const shared = kind === "roster" ? toSharedRoster(inputs) : inputs;
    try {
      const result = await this.provider.create(shared);
      return { id: result.id, outs: this.native(kind, result.outs as Props) };
    } catch (e) {
      throw this.nativeError(kind, e);
    }
  }

  async update(kind: NativeKind, id: string, olds: Props, news: Props): Promise<Props> {
    try {
      const result = await this.provider.update(id, this.shared(kind, olds), this.shared(kind, news));
      return this.native(kind, (result.outs ?? {}) as Props);
    } catch (e) {
      throw this.nativeError(kind, e);
    }
  }

  /**
   * Refresh (`props` from the state), or `pulumi import` (no `props`): a membership's import id is
   * `<acsAccessGroupId>/<acsUserId>`, a roster's the group id (all its members at Seam now).
   */
  async read(kind: NativeKind, id: string, props: Props): Promise<ReadOutcome> {
    const importing = Object.keys(props).length === 0;
    if (importing) refuseBadImportId(kind, id);
    if (kind === "roster" && importing) {
      const group = id.startsWith(rosterIdPrefix) ? id.slice(rosterIdPrefix.length) : id;
      const result = await this.provider.adoptRoster(group);
      // The engine alone would say "resource '…' does not exist".
      if (!result.id) throw new Error(`Cannot import AccessGroupRoster ${group}: Seam has no access group ${group} in the workspace of these credentials, so there is nothing to import.`);
      return this.nativeRead(kind, result);
    }
    const result = await this.provider.read(id, this.shared(kind, props));
    if (importing && !result.id) throw new Error(await this.provider.absentPairMessage(parseMembershipId(id)!));
    return this.nativeRead(kind, result);
  }

  async delete(kind: NativeKind, id: string, props: Props): Promise<void> {
    await this.provider.delete(id, this.shared(kind, props));
  }

  private shared(kind: NativeKind, props: Props): Props {
    return kind === "roster" ? toSharedRoster(props) : props;
  }

  private native(kind: NativeKind, props: Props): Props {
    const { __provider: _dynamicOnly, ...rest } = props;
    return kind === "roster" ? toNativeRoster(rest) : rest;
  }

  private nativeRead(kind: NativeKind, result: { id?: string; props?: unknown; inputs?: unknown }): ReadOutcome {
    if (!result.id) return { id: "" };
    return {
      id: result.id,
      props: this.native(kind, (result.props ?? {}) as Props),
      inputs: result.inputs ? this.native(kind, result.inputs as Props) : undefined,
    };
  }

  /** A step that entered the state with an error keeps its properties, in native names. */
  private nativeError(kind: NativeKind, e: unknown): unknown {
    if (!(e instanceof CreatedButFailedError)) return e;
    return new CreatedButFailedError(e.message, e.id, this.native(kind, e.properties));
  }
}

/** `pulumi import` ids are typed by hand: say what the id should look like before asking Seam. */
function refuseBadImportId(kind: NativeKind, id: string): void {
  if (kind === "membership") {
    const ids = parseMembershipId(id);
    const problem = ids ? (seamIdProblem(ids.acsAccessGroupId) ?? seamIdProblem(ids.acsUserId)) : "is not <acsAccessGroupId>/<acsUserId>";
    if (problem) throw new Error(`AccessGroupMembership import id ${JSON.stringify(id)} ${problem}; import a membership as <acsAccessGroupId>/<acsUserId>.`);
    return;
  }
  const group = id.startsWith(rosterIdPrefix) ? id.slice(rosterIdPrefix.length) : id;
  const problem = seamIdProblem(group);
  if (problem) throw new Error(`AccessGroupRoster import id ${JSON.stringify(id)}: the access group id ${problem}; import a roster by its acs_access_group_id.`);
}
