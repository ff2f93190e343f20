/**
 * Upgrade without a blink: a stack written by release 0.1.0, whose rosters were components with
 * one AccessGroupMembership child per member (`<roster>-<member>`), moves to one roster resource
 * per group with no remove, no add and no access lost, and its review shows only moves.
 *
 * The fixture is `pulumi stack export` of that stack as 0.1.0 wrote it (built from the commit
 * before rosters became resources, packed, installed and run against Seam's fake), with its ids
 * replaced by placeholders that this test fills in with the fake's ids.
 */
import fs from "node:fs";
import path from "node:path";
import { PulumiProject } from "./support/pulumi";
import { mutationsSince, reviewOf, rosterType, stateResources } from "./support/rosters";
import { SeamFake, startSeamFake } from "./support/seam-fake";

let fake: SeamFake;
beforeAll(async () => {
  fake = await startSeamFake();
});
afterAll(() => fake.stop());

/** The program 0.1.0 ran, unchanged: now its rosters are resources. */
const program = `
const pulumi = require("@pulumi/pulumi");
const { AccessGroupRoster, AccessGroupMembership } = require("pulumi-seam-acs");
const c = new pulumi.Config().requireObject("ids");
new AccessGroupRoster("lobby", { acsAccessGroupId: c.lobby, acsUserIds: [c.ada, c.grace] });
new AccessGroupRoster("lab", { acsAccessGroupId: c.lab, acsUserIds: { ada: c.ada, alan: c.alan } });
new AccessGroupMembership("grace-lab", { acsUserId: c.grace, acsAccessGroupId: c.lab });
`;

async function grant(acsUserId: string, acsAccessGroupId: string): Promise<void> {
  const res = await fetch(`${fake.url}/acs/users/add_to_access_group`, {
    method: "POST",
    headers: { authorization: `Bearer ${fake.apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({ acs_user_id: acsUserId, acs_access_group_id: acsAccessGroupId }),
  });
  expect(res.status).toBe(200);
}

test("component rosters from 0.1.0 become roster resources: only moves in the review, no remove and no add at Seam", async () => {
  const ids = { ada: fake.addUser("Ada"), grace: fake.addUser("Grace"), alan: fake.addUser("Alan"), lobby: fake.addGroup("Lobby"), lab: fake.addGroup("Lab") };
  for (const [user, group] of [["ada", "lobby"], ["grace", "lobby"], ["ada", "lab"], ["alan", "lab"], ["grace", "lab"]] as const) await grant(ids[user], ids[group]);
  const p = new PulumiProject("component-rosters", { program, env: { SEAM_API_KEY: fake.apiKey, SEAM_ENDPOINT: fake.url } });
  await p.init();
  await p.run(["config", "set", "ids", JSON.stringify(ids)]);
  let state = fs.readFileSync(path.join(__dirname, "fixtures", "component-rosters-0.1.0.state.json"), "utf8");
  for (const [k, v] of Object.entries(ids)) state = state.split(`<${k}>`).join(v);
  fs.writeFileSync(path.join(p.dir, "old.json"), state);
  await p.run(["stack", "import", "--file", path.join(p.dir, "old.json")]);
  expect((await p.memberships()).map((r) => r.urn.split("::").at(-1)).sort()).toEqual(["grace-lab", "lab-ada", "lab-alan", `lobby-${ids.ada}`, `lobby-${ids.grace}`].sort());

  const review = await reviewOf(p);
  expect(review.removals).toEqual([]);
  expect(review.additions).toEqual([]);
  expect(review.moves.sort()).toEqual(
    [
      [ids.ada, [`lobby-${ids.ada}`, `lobby[${ids.ada}]`]],
      [ids.grace, [`lobby-${ids.grace}`, `lobby[${ids.grace}]`]],
      [ids.ada, ["lab-ada", "lab[ada]"]],
      [ids.alan, ["lab-alan", "lab[alan]"]],
    ].sort(),
  );

  const before = fake.requests.length;
  await p.up();
  expect(mutationsSince(fake, before)).toEqual([]);
  expect(fake.membersOf(ids.lobby).sort()).toEqual([ids.ada, ids.grace].sort());
  expect(fake.membersOf(ids.lab).sort()).toEqual([ids.ada, ids.alan, ids.grace].sort());
  expect((await p.memberships()).map((r) => r.urn.split("::").at(-1))).toEqual(["grace-lab"]);
  expect((await stateResources(p, rosterType)).map((r) => [r.urn.split("::").at(-1), r.outputs.members]).sort()).toEqual(
    [
      ["lab", { ada: ids.ada, alan: ids.alan }],
      ["lobby", [ids.ada, ids.grace].sort()],
    ].sort(),
  );
}, 300_000);
