/** Helpers for the roster engine suites: a program from stack config, state and review readers. */
import { PulumiProject } from "./pulumi";
import { runReview } from "./review";
import { addRoute as add, removeRoute as remove, SeamFake } from "./seam-fake";

/** Rosters and memberships from stack config `resources`, declared in that order. */
export const rosterProgram = `
const pulumi = require("@pulumi/pulumi");
const { AccessGroupRoster, AccessGroupMembership } = require("pulumi-seam-acs");
const out = {};
for (const r of new pulumi.Config().requireObject("resources")) {
  const opts = { aliases: (r.aliases || []).map((name) => ({ name })), retainOnDelete: r.retain, deleteBeforeReplace: r.dbr };
  if (r.ids) out[r.name] = new AccessGroupRoster(r.name, { acsAccessGroupId: r.group, acsUserIds: r.ids }, opts).acsUserIds;
  else new AccessGroupMembership(r.name, { acsUserId: r.user, acsAccessGroupId: r.group }, opts);
}
module.exports.rosters = out;
`;

export const rosterType = "pulumi-nodejs:dynamic/seam:AccessGroupRoster";
const mutating = new Set([add, remove]);

export function mutationsSince(f: SeamFake, count: number): string[][] {
  return f.requests
    .slice(count)
    .filter((r) => mutating.has(r.path))
    .map((r) => [r.path === add ? "add" : "remove", (r.body as { acs_user_id: string }).acs_user_id]);
}

export type Declared = { name: string; group: string; ids?: string[] | Record<string, string>; user?: string; aliases?: string[]; retain?: boolean; dbr?: boolean };

export async function declare(p: PulumiProject, resources: Declared[]): Promise<void> {
  await p.run(["config", "set", "resources", JSON.stringify(resources)]);
}

export async function stateResources(p: PulumiProject, type: string): Promise<{ urn: string; id: string; inputs: Record<string, unknown>; outputs: Record<string, unknown> }[]> {
  const deployment = JSON.parse((await p.run(["stack", "export"])).stdout).deployment;
  return (deployment.resources ?? []).filter((r: { type: string }) => r.type === type);
}

export async function reviewOf(p: PulumiProject, extra: string[] = []) {
  const preview = await p.previewJson(["--show-sames", ...extra]);
  const review = await runReview(["review", "--format", "json", "--no-names"], { stdin: preview.stdout });
  if (review.code !== 0 && review.code !== 3) throw new Error(`review failed: ${review.stderr}`);
  const report = JSON.parse(review.stdout);
  const pairs = (items: { acsUserId: string; resources: string[] }[]) => items.map((i) => [i.acsUserId, i.resources.map((r) => r.split("::").at(-1)!).sort()]);
  return { removals: pairs(report.removals), additions: pairs(report.additions), moves: pairs(report.moves), report };
}

