/** `npm run demo`, the README's first command, as a newcomer runs it (after the build). */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "./support/consumer";
import { addRoute, removeRoute, startSeamFake } from "./support/seam-fake";

test("the demo walks up, a previewed removal and its review in names and doors, up and destroy against the fake, and says what Seam holds", async () => {
  // A real-looking key in the environment must not be used: the demo talks to the fake only.
  const { stdout } = await promisify(execFile)(process.execPath, [path.join(repoRoot, "scripts/demo.js")], {
    cwd: repoRoot,
    env: { ...process.env, SEAM_API_KEY: "seam_not_for_the_demo", SEAM_ENDPOINT: "https://connect.getseam.com" },
  });
  const steps = stdout.split("\n$ pulumi ").slice(1);
  expect(steps.map((s) => s.split("\n")[0])).toEqual([
    "up --yes --skip-preview",
    "preview",
    "preview --json --show-sames | npx pulumi-seam-acs review",
    "up --yes --skip-preview",
    "destroy --yes --skip-preview",
  ]);
  expect(stdout).toContain("(nothing real is touched)");
  expect(steps[0]).toMatch(/Memberships: \+ 3 created\n/);
  expect(stdout).not.toMatch(/\b4 created/);
  // Alan is in the Lobby too, granted outside the program.
  expect(steps[0]).toMatch(/Lobby: Ada Lovelace, Alan Turing, Grace Hopper\n\s+Lab: Alan Turing/);
  expect(steps[1]).toMatch(/-\s+pulumi-nodejs:dynamic\/seam:AccessGroupMembership alan-lab delete/);
  expect(steps[1]).toMatch(/Lab: Alan Turing/);
  expect(steps[2]).toMatch(/^ {2}1 loses access, 0 gain access, 0 moved in state\n\n {2}Loses access:\n {4}Alan Turing \(\S+@example\.com\) — Lab — alan-lab\n/m);
  // In doors: Alan loses the Lab door, and keeps the Front door (the Lab opens it too) through the Lobby.
  expect(steps[2]).toMatch(/\n {2}Doors \(net of every change and every group kept at Seam\): 1 person loses an entrance, 0 gain one, 0 keep the same doors\n {4}Alan Turing \(alan@example\.com\): loses Lab door \(Lab\); keeps Front door through Lobby\n/);
  // The review read the group's members at Seam (the local Seam answers list_users): no warning.
  expect(steps[2]).not.toMatch(/warning:/);
  expect(steps[3]).toMatch(/Memberships: - 1 deleted/);
  expect(steps[3]).toMatch(/Lobby: Ada Lovelace, Alan Turing, Grace Hopper\n\s+Lab: \(nobody\)/);
  expect(steps[4]).toMatch(/Memberships: - 2 deleted/);
  expect(steps[4]).toMatch(/Lobby: Alan Turing\n\s+Lab: \(nobody\)/);
});

test("with explicit credentials and ids, the demo manages exactly those memberships where the credentials point", async () => {
  // Stands in for a real workspace: the demo gets an endpoint, a key and ids, as a user would give them.
  const seam = await startSeamFake();
  try {
    const lobby = seam.addGroup("Front door");
    const ids = [seam.addUser("Ada"), seam.addUser("Grace")];
    const memberships = ids.map((acsUserId, i) => ({ name: `person-${i}`, acsUserId, acsAccessGroupId: lobby }));
    const { stdout } = await promisify(execFile)(process.execPath, [path.join(repoRoot, "scripts/demo.js")], {
      cwd: repoRoot,
      env: { ...process.env, SEAM_API_KEY: seam.apiKey, SEAM_ENDPOINT: seam.url, SEAM_DEMO_MEMBERSHIPS: JSON.stringify(memberships) },
    });
    expect(stdout).toContain("Seam: the workspace your credentials name");
    expect(stdout).toMatch(/-\s+pulumi-nodejs:dynamic\/seam:AccessGroupMembership person-1 delete/);
    expect(stdout).toMatch(/ {2}Loses access:\n {4}Grace \(\S+@example\.com\) — Front door — person-1\n/);
    // A group that opens no entrance: her doors stay as they were.
    expect(stdout).toMatch(/ {4}Grace \(\S+@example\.com\): doors as they were\n/);
    const mutations = seam.requests.filter((r) => r.path === addRoute || r.path === removeRoute);
    expect(mutations.filter((r) => r.path === addRoute)).toHaveLength(2);
    expect(mutations.filter((r) => r.path === removeRoute)).toHaveLength(2);
    expect(seam.membersOf(lobby)).toEqual([]);
  } finally {
    await seam.stop();
  }
});
