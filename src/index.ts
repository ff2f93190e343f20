export { AccessGroupMembership, AccessGroupMembershipArgs } from "./access-group-membership";
