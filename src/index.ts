// First: refuse an old Node.js before undici or @pulumi/pulumi load (see node-version.ts).
import "./supported-node";
export { AccessGroupMembership } from "./access-group-membership";
export type { AccessGroupMembershipArgs } from "./access-group-membership";
export { AccessGroupRoster } from "./access-group-roster";
export type { AccessGroupRosterArgs, RosterMembers } from "./access-group-roster";
export { lookupAcsUser } from "./roster/lookup-acs-user";
export type { AcsUserLookupArgs, FoundAcsUser } from "./roster/lookup-acs-user";
export { loadRoster, RosterFileError } from "./roster/roster-file";
export type { RosterProblem } from "./roster/roster-file";
