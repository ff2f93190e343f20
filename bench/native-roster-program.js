// The native `seam` provider with one AccessGroupRoster per group, declared from the same memberships.json.
// BENCH_DROP_ALL=1 declares nothing (a preview of it is a change that removes every member).
const pulumi = require("@pulumi/pulumi");
const memberships = process.env.BENCH_DROP_ALL === "1" ? [] : require("./memberships.json");

const byGroup = new Map();
for (const m of memberships) byGroup.set(m.acsAccessGroupId, [...(byGroup.get(m.acsAccessGroupId) ?? []), m.acsUserId]);
let i = 0;
for (const [group, ids] of byGroup) {
  new pulumi.CustomResource("seam:index:AccessGroupRoster", `g-${i++}`, { acsAccessGroupId: group, acsUserIds: ids });
}
