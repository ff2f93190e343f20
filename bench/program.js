// pulumi-seam-acs, declared from the same memberships.json as the baseline.
const { AccessGroupMembership } = require("pulumi-seam-acs");
const memberships = require("./memberships.json");

for (const m of memberships) new AccessGroupMembership(m.name, { acsUserId: m.acsUserId, acsAccessGroupId: m.acsAccessGroupId });
