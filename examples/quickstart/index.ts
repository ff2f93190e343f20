/**
 * Quickstart: declare who belongs to which Seam access group, from stack config.
 *
 *   pulumi config set --path 'memberships[0].name' ada-lobby
 *   pulumi config set --path 'memberships[0].acsUserId' <acs_user_id>
 *   pulumi config set --path 'memberships[0].acsAccessGroupId' <acs_access_group_id>
 *
 * Remove an entry and `pulumi up` revokes exactly that membership.
 */
import * as pulumi from "@pulumi/pulumi";
import { AccessGroupMembership } from "pulumi-seam-acs";

interface MembershipEntry {
  name: string;
  acsUserId: string;
  acsAccessGroupId: string;
}

const config = new pulumi.Config();
const entries = config.getObject<MembershipEntry[]>("memberships") ?? [];

const memberships = entries.map((m) => new AccessGroupMembership(m.name, { acsUserId: m.acsUserId, acsAccessGroupId: m.acsAccessGroupId }));

export const membershipIds = memberships.map((m) => m.id);
