/**
 * `seam:waitForSync`: after an add or a remove, wait (within `seam:syncTimeoutSeconds`) until the
 * ACS user's `pending_mutations` show no change of their membership of that group, so a green
 * `pulumi up` means the access system applied it, not only that Seam accepted it.
 */
import type { MembershipIds, SeamClient } from "../seam/client";
import type { SyncSettings } from "../seam/settings";
import { describePendingChanges, pendingChangesFor } from "./pending-membership-changes";
import { nextPollGapMs, syncPollPolicy } from "./sync-poll-policy";

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
  random(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

/** What the engine asked for: a create adds, a delete removes, an update keeps a membership that exists. */
type Operation = "create" | "update" | "delete";

/** The access system had not applied the change when the timeout passed. */
export class SyncTimeoutError extends Error {
  override readonly name = "SyncTimeoutError";
}

/**
 * Resolves once nothing is pending for the pair; throws SyncTimeoutError, saying what is still
 * pending, once the timeout has passed. A user that no longer exists has nothing pending. Off
 * (the default), it returns at once without a request (the client is asked for only when on).
 * Every look is a client request, so it shares the client's limits like any other call.
 */
export async function waitForSync(seam: () => SeamClient, ids: MembershipIds, sync: SyncSettings, operation: Operation, clock: Clock = systemClock): Promise<void> {
  if (!sync.waitForSync) return;
  const client = seam();
  const policy = syncPollPolicy(sync.timeoutMs);
  const start = clock.now();
  for (let polls = 1; ; polls++) {
    // Each look, retries included, ends with the wait: the timeout bounds the whole wait.
    const user = await client.getAcsUser(ids.acsUserId, client.startOperation(start + sync.timeoutMs - clock.now()));
    const pending = user ? pendingChangesFor(user.pendingMutations, ids.acsAccessGroupId) : [];
    if (pending.length === 0) return;
    const gap = nextPollGapMs(polls, clock.now() - start, policy, clock.random);
    if (gap === undefined) {
      throw new SyncTimeoutError(
        `${subject(operation, ids)}: ${done(operation)}, but after ${sync.timeoutMs / 1000} s (seam:syncTimeoutSeconds) the access system ` +
          `has not applied it yet: ${describePendingChanges(pending)}. ${consequence(operation)}`,
      );
    }
    await clock.sleep(gap);
  }
}

/**
 * An error the dynamic-provider host turns into ErrorResourceInitFailed (it looks for `id`,
 * `properties` and `reasons`; `@pulumi/pulumi` cmd/dynamic-provider, grpcResponseFromError): the
 * engine records the resource in state and still fails the step.
 */
export class CreatedButFailedError extends Error {
  override readonly name = "CreatedButFailedError";
  readonly reasons: string[];
  constructor(
    message: string,
    readonly id: string,
    readonly properties: Record<string, unknown>,
  ) {
    super(message);
    this.reasons = [message];
  }
}

/**
 * waitForSync after a create's add. The add has happened, so whatever the wait ends with, the
 * membership must enter the state: a membership missing from state is access nobody would ever
 * revoke. The host does not add `__provider` to the properties of a failed create; without it a
 * later `destroy` could not load the provider, so it is copied from the inputs here.
 */
export async function waitForSyncAfterAdd(
  seam: () => SeamClient,
  sync: SyncSettings,
  created: { readonly id: string; readonly outs: MembershipIds & Record<string, unknown> },
  inputs: Record<string, unknown>,
  clock?: Clock,
): Promise<void> {
  try {
    await waitForSync(seam, created.outs, sync, "create", clock);
  } catch (e) {
    const message = e instanceof SyncTimeoutError ? e.message : waitFailed("create", created.outs, e);
    throw new CreatedButFailedError(message, created.id, { ...created.outs, __provider: inputs.__provider });
  }
}

/**
 * waitForSync in a delete (after the remove) or an update. An update follows a create that timed
 * out (the engine updates a resource recorded with errors) and provider-code refreshes: waiting
 * there too means a rerun of a pipeline that timed out is green only once the door knows.
 * A failure keeps the resource in state, so the next run acts and waits again.
 */
export async function waitForSyncAfter(operation: "update" | "delete", seam: () => SeamClient, sync: SyncSettings, ids: MembershipIds, clock?: Clock): Promise<void> {
  try {
    await waitForSync(seam, ids, sync, operation, clock);
  } catch (e) {
    if (e instanceof SyncTimeoutError) throw e;
    throw new Error(waitFailed(operation, ids, e));
  }
}

function waitFailed(operation: Operation, ids: MembershipIds, e: unknown): string {
  return `${subject(operation, ids)}: ${done(operation)}, but waiting for the access system failed: ${(e as Error).message} ${consequence(operation)}`;
}

function subject(operation: Operation, ids: MembershipIds): string {
  return `AccessGroupMembership ${operation} (acs_user_id=${ids.acsUserId} acs_access_group_id=${ids.acsAccessGroupId})`;
}

function done(operation: Operation): string {
  return {
    create: "Seam added the user to the group",
    update: "Seam has the user in the group",
    delete: "Seam removed the user from the group",
  }[operation];
}

function consequence(operation: Operation): string {
  return operation === "delete"
    ? "Until the access system applies it the user may still get in. The membership stays in the state: the next " +
        "`pulumi up` or `pulumi destroy` removes it again and waits again."
    : "The membership is recorded in the state, as it is in Seam; until the access system applies it the user may not get in. " +
        "Check the access system's connection in Seam, or raise seam:syncTimeoutSeconds.";
}
