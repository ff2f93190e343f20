// The native `seam` provider (plugin pulumi-resource-seam, one AccessGroupMembership per pair), declared from the
// same memberships.json as the other shapes. The resources are registered by type token, as every language's SDK
// does; the engine runs the plugin, found on PATH. BENCH_DROP_ALL=1 declares nothing.
const pulumi = require("@pulumi/pulumi");
const memberships = process.env.BENCH_DROP_ALL === "1" ? [] : require("./memberships.json");

for (const m of memberships) {
  new pulumi.CustomResource("seam:index:AccessGroupMembership", m.name, { acsUserId: m.acsUserId, acsAccessGroupId: m.acsAccessGroupId });
}
