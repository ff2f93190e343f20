import * as pulumi from "@pulumi/pulumi";
import { claimPairOf } from "./program/pair-claims";
import { refusePlaintextTokens } from "./program/plaintext-token";
import * as serializedProvider from "./provider/serialized-provider";

export interface AccessGroupMembershipArgs {
  /** The Seam ACS user (`acs_user_id`) that gets access. */
  readonly acsUserId: pulumi.Input<string>;
  /** The Seam access group (`acs_access_group_id`) the user joins. */
  readonly acsAccessGroupId: pulumi.Input<string>;
}

/** The error for `deleteBeforeReplace: true` on a membership; exported for the roster and tests. */
export function deleteBeforeReplaceMessage(name: string): string {
  return (
    `AccessGroupMembership "${name}" has the option deleteBeforeReplace, which pulumi-seam-acs refuses: a delete-first ` +
    "replacement removes the old membership before the rest of the program is checked, and could revoke access another " +
    "resource still declares. Remove deleteBeforeReplace; replacements then add the new membership first and remove the old " +
    "one at the end of the run, only if nothing declares it."
  );
}

/**
 * One Seam ACS user's membership of one access group. Creating it adds the user to the group;
 * deleting it (the resource leaves the program, or the stack is destroyed) calls
 * `POST /acs/users/remove_from_access_group`. Changing either id replaces it: the new membership is
 * added, the old one removed at the end of the deployment. The id is `<acsAccessGroupId>/<acsUserId>`.
 *
 * Credentials and endpoint come from the stack config (`seam:*`) or the environment, never from
 * resource inputs. A token in the stack config must be a secret (`pulumi config set --secret`):
 * the engine keeps the stack config, encrypted, in the default provider's inputs in the state.
 */
export class AccessGroupMembership extends pulumi.dynamic.Resource {
  declare public readonly acsUserId: pulumi.Output<string>;
  declare public readonly acsAccessGroupId: pulumi.Output<string>;
  /** The Seam workspace the membership was made in. */
  declare public readonly workspaceId: pulumi.Output<string | undefined>;

  constructor(name: string, args: AccessGroupMembershipArgs, opts?: pulumi.CustomResourceOptions) {
    // A token stored without --secret fails the run here, before anything is registered.
    refusePlaintextTokens();
    // A delete-first replacement removes the old pair before the rest of the program is checked,
    // so it could revoke access another resource still declares: refused here, at preview.
    if (opts?.deleteBeforeReplace) throw new pulumi.RunError(deleteBeforeReplaceMessage(name));
    // One declarer per pair in a program (see pair-claims.ts): plain ids are claimed before the
    // resource is registered, so a refused duplicate adds nothing; Outputs once they resolve.
    const claimant = `AccessGroupMembership "${name}"`;
    if (args) claimPairOf(args, claimant);
    // An output-only property must be named (as undefined) for the SDK to create its Output.
    super(serializedProvider, name, { workspaceId: undefined, ...args }, opts, "seam", "AccessGroupMembership");
    if (args) claimPairOf(args, claimant, this);
  }
}
