export { AccessGroupMembership } from "./access-group-membership";
export type { AccessGroupMembershipArgs } from "./access-group-membership";
