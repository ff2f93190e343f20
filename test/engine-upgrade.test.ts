/**
 * 9. Upgrades. The engine runs the `__provider` text stored in state, not the installed code,
 * for `delete` and `read`. This package has no older release yet, so the test writes state as an
 * older build with different provider code would have (its own `__provider` text, through
 * `pulumi stack import`), then lets the current build update and destroy that stack.
 */
import fs from "node:fs";
import path from "node:path";
import { PulumiProject } from "./support/pulumi";
import { addRoute as add, removeRoute as remove, SeamFake, startSeamFake } from "./support/seam-fake";


/** What an older build might have stored: a different loader shape, same public entry point. */
const olderProvider = `exports.handler = function () {
  const load = () => require("pulumi-seam-acs/provider").provider;
  return {
    configure: (req) => load().configure(req),
    check: (olds, news) => load().check(olds, news),
    diff: (id, olds, news) => load().diff(id, olds, news),
    create: (inputs) => load().create(inputs),
    read: (id, props) => load().read(id, props),
    update: (id, olds, news) => load().update(id, olds, news),
    delete: (id, props) => load().delete(id, props),
  };
};
`;

let fake: SeamFake;
beforeAll(async () => {
  fake = await startSeamFake();
});
afterAll(() => fake.stop());

async function rewriteStoredProvider(p: PulumiProject, text: string): Promise<void> {
  const exported = JSON.parse((await p.run(["stack", "export"])).stdout);
  for (const r of exported.deployment.resources ?? []) {
    if (r.type !== "pulumi-nodejs:dynamic/seam:AccessGroupMembership") continue;
    r.inputs.__provider = text;
    r.outputs.__provider = text;
  }
  const file = path.join(p.dir, "state.json");
  fs.writeFileSync(file, JSON.stringify(exported));
  await p.run(["stack", "import", "--file", file]);
}

function mutationsSince(count: number) {
  return fake.requests.slice(count).filter((r) => r.path === add || r.path === remove);
}

test("a stack written by an older build is updated in place and destroyed by the current one", async () => {
  const ada = fake.addUser("Ada");
  const grace = fake.addUser("Grace");
  const lobby = fake.addGroup("Lobby");
  const p = new PulumiProject("upgrade", { env: { SEAM_API_KEY: fake.apiKey, SEAM_ENDPOINT: fake.url } });
  await p.init();
  const both = [
    { name: "ada-lobby", acsUserId: ada, acsAccessGroupId: lobby },
    { name: "grace-lobby", acsUserId: grace, acsAccessGroupId: lobby },
  ];
  await p.setMemberships(both);
  await p.up();
  const current = (await p.memberships())[0]!.outputs.__provider;
  await rewriteStoredProvider(p, olderProvider);
  expect((await p.memberships()).map((r) => r.outputs.__provider)).toEqual([olderProvider, olderProvider]);

  // grace-lobby leaves: its delete runs the older stored text; ada-lobby only gets new code.
  await p.setMemberships(both.slice(0, 1));
  let before = fake.requests.length;
  const up = await p.up();
  expect(up.stdout).toMatch(/~\s+pulumi-nodejs:dynamic\/seam:AccessGroupMembership ada-lobby updated/);
  expect(mutationsSince(before).map((r) => [r.path, r.body])).toEqual([[remove, { acs_user_id: grace, acs_access_group_id: lobby }]]);
  expect(fake.membersOf(lobby)).toEqual([ada]);
  expect((await p.memberships()).map((r) => r.outputs.__provider)).toEqual([current]);
  expect((await p.memberships())[0]!.outputs).toMatchObject({ acsUserId: ada, acsAccessGroupId: lobby });

  // A destroy that runs only the older stored text (no program) still revokes.
  await rewriteStoredProvider(p, olderProvider);
  before = fake.requests.length;
  await p.destroy();
  expect(mutationsSince(before).map((r) => [r.path, r.body])).toEqual([[remove, { acs_user_id: ada, acs_access_group_id: lobby }]]);
  expect(fake.membersOf(lobby)).toEqual([]);
});
