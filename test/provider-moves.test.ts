/**
 * Resources moved between provider instances in one update, through the real CLI with YAML
 * programs against Seam's fake: the default seam provider ↔ an explicit one, a renamed explicit
 * provider, with renames and roster edits in the same update. The old resource is deleted by the
 * old instance's process while its successor is checked and created by another; no pair the
 * program still declares may be removed, and the review of the same preview lists exactly the
 * removes `up` sends (src/provider/declarers.ts, deployment-facts.ts).
 */
import type { PulumiProject } from "./support/pulumi";
import { runReview } from "./support/review";
import { SeamFake, startSeamFake } from "./support/seam-fake";
import {
  configureDefault,
  explicitProvider,
  membership,
  mutationsSince,
  rewrite,
  roster,
  seamResources,
  secretConfig,
  stateText,
  withProvider,
  yamlProject,
} from "./support/yaml-program";

let fake: SeamFake;
beforeAll(async () => {
  fake = await startSeamFake();
});
afterAll(() => fake.stop());

/** A project with the default provider configured and the secret `key` for explicit providers (one workspace). */
async function project(name: string, resources: string): Promise<PulumiProject> {
  const p = yamlProject(name, resources, secretConfig());
  await configureDefault(p, fake);
  await p.run(["config", "set", "--secret", "key", fake.apiKey]);
  return p;
}

/** The review of the program's next preview: who loses access, as the review counts it (JSON). */
async function reviewedLosses(p: PulumiProject): Promise<string[]> {
  const json = await p.previewJson();
  const review = await runReview(["review", "--format", "json", "--no-doors"], { stdin: json.stdout, env: { SEAM_API_KEY: fake.apiKey, SEAM_ENDPOINT: fake.url } });
  expect(review.code).toBe(0);
  const report = JSON.parse(review.stdout) as { removals: { acsUserId: string }[] };
  return report.removals.map((r) => `remove ${r.acsUserId}`).sort();
}

/** The next version of the program: its review, then `up`; returns what Seam received. */
async function move(p: PulumiProject, name: string, resources: string): Promise<{ sent: string[]; reviewed: string[] }> {
  rewrite(p, name, resources, secretConfig());
  const reviewed = await reviewedLosses(p);
  const seen = fake.requests.length;
  await p.up();
  return { sent: mutationsSince(fake, seen), reviewed };
}

test("an explicit provider renamed (no alias) and its membership renamed: the add only; ada stays in the lab", async () => {
  const [ada, lab] = [fake.addUser("Ada (renamed provider)"), fake.addGroup("Lab (renamed provider)")];
  const name = "moves-renamed-provider";
  const p = await project(name, explicitProvider("site-a", fake) + membership("ada-lab", ada, lab, withProvider("site-a")));
  await p.up();
  const { sent, reviewed } = await move(p, name, explicitProvider("site-a2", fake) + membership("ada-lab-2", ada, lab, withProvider("site-a2")));
  expect(sent).toEqual([`add ${ada}`]);
  expect(reviewed).toEqual([]);
  expect(fake.membersOf(lab)).toEqual([ada]);
  expect((await seamResources(p)).map((r: { urn: string }) => r.urn.split("::").pop())).toEqual(["ada-lab-2"]);

  // Control: renaming the provider again, with an alias, and the membership not: nothing is sent.
  const seen = fake.requests.length;
  rewrite(p, name, explicitProvider("site-a3", fake).replace("    properties:", `    options:\n      aliases:\n        - urn:pulumi:test::${name}::pulumi:providers:seam::site-a2\n    properties:`) + membership("ada-lab-2", ada, lab, withProvider("site-a3")), secretConfig());
  await p.up();
  expect(mutationsSince(fake, seen)).toEqual([]);
  expect(fake.membersOf(lab)).toEqual([ada]);
});

test("a membership moved from the default provider to an explicit one and renamed, then back without a rename", async () => {
  const [ada, lobby] = [fake.addUser("Ada (to explicit)"), fake.addGroup("Lobby (to explicit)")];
  const name = "moves-default-to-explicit";
  const p = await project(name, membership("ada-lobby", ada, lobby));
  await p.up();
  const first = await move(p, name, explicitProvider("site-b", fake) + membership("ada-lobby-2", ada, lobby, withProvider("site-b")));
  expect(first.sent).toEqual([`add ${ada}`]);
  expect(first.reviewed).toEqual([]);
  expect(fake.membersOf(lobby)).toEqual([ada]);

  // Control: back to the default provider under the same name (a replacement by a provider change).
  const back = await move(p, name, membership("ada-lobby-2", ada, lobby));
  expect(back.sent.filter((m) => m.startsWith("remove"))).toEqual([]);
  expect(back.reviewed).toEqual([]);
  expect(fake.membersOf(lobby)).toEqual([ada]);

  const seen = fake.requests.length;
  await p.destroy();
  expect(mutationsSince(fake, seen)).toEqual([`remove ${ada}`]);
});

test("two memberships moved from an explicit provider to the default one, both renamed: two adds, no remove", async () => {
  const [ada, grace, lobby] = [fake.addUser("Ada (to default)"), fake.addUser("Grace (to default)"), fake.addGroup("Lobby (to default)")];
  const name = "moves-explicit-to-default";
  const p = await project(name, explicitProvider("site-a", fake) + membership("ada", ada, lobby, withProvider("site-a")) + membership("grace", grace, lobby, withProvider("site-a")));
  await p.up();
  const { sent, reviewed } = await move(p, name, membership("ada-2", ada, lobby) + membership("grace-2", grace, lobby));
  expect(sent.sort()).toEqual([`add ${ada}`, `add ${grace}`].sort());
  expect(reviewed).toEqual([]);
  expect(fake.membersOf(lobby).sort()).toEqual([ada, grace].sort());
  expect(await stateText(p)).not.toContain(fake.apiKey);
});

test("a roster moved from the default provider to an explicit one with a member dropped: only that member is removed, as the review says", async () => {
  const [ada, grace, alan] = ["Ada", "Grace", "Alan"].map((n) => fake.addUser(`${n} (roster move)`)) as [string, string, string];
  const lab = fake.addGroup("Lab (roster move)");
  const name = "moves-roster";
  const p = await project(name, roster("lab", lab, { ada, grace, alan }));
  await p.up();
  const { sent, reviewed } = await move(p, name, explicitProvider("site-b", fake) + roster("lab", lab, { ada, grace }, withProvider("site-b")));
  expect(sent).toEqual([`remove ${alan}`]);
  expect(reviewed).toEqual([`remove ${alan}`]);
  expect(fake.membersOf(lab).sort()).toEqual([ada, grace].sort());
  const [held] = await seamResources(p);
  expect(held.outputs.acsUserIds).toEqual({ ada, grace });

  // And renamed while moving back to the default provider, grace moving to a membership of her own.
  const back = await move(p, name, roster("lab-2", lab, { ada }) + membership("grace-lab", grace, lab));
  expect(back.sent.filter((m) => m.startsWith("remove"))).toEqual([]);
  expect(back.reviewed).toEqual([]);
  expect(fake.membersOf(lab).sort()).toEqual([ada, grace].sort());
});
