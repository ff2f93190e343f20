// pulumi-seam-acs, declared from the same memberships.json as the baseline.
// BENCH_DROP_ALL=1 declares nothing (a preview of it is a change that removes every membership).
const { AccessGroupMembership } = require("pulumi-seam-acs");
const memberships = process.env.BENCH_DROP_ALL === "1" ? [] : require("./memberships.json");

for (const m of memberships) new AccessGroupMembership(m.name, { acsUserId: m.acsUserId, acsAccessGroupId: m.acsAccessGroupId });
