/**
 * A stack whose stored provider code differs from the installed one previews as an `update` of
 * every membership (the provider refreshes `__provider` in place, calling nothing): the review
 * must see no change in access, and the guard must not trip.
 */
import fs from "node:fs";
import path from "node:path";
import { PulumiProject } from "./support/pulumi";
import { runReview } from "./support/review";
import { SeamFake, startSeamFake } from "./support/seam-fake";

let fake: SeamFake;
beforeAll(async () => {
  fake = await startSeamFake();
});
afterAll(() => fake.stop());

test("updates that only refresh the stored provider are no change in access", async () => {
  const ada = fake.addUser("Ada");
  const lobby = fake.addGroup("Lobby");
  const lab = fake.addGroup("Lab");
  const p = new PulumiProject("review-upgrade", { env: { SEAM_API_KEY: fake.apiKey, SEAM_ENDPOINT: fake.url } });
  await p.init();
  await p.setMemberships([
    { name: "ada-lobby", acsUserId: ada, acsAccessGroupId: lobby },
    { name: "ada-lab", acsUserId: ada, acsAccessGroupId: lab },
  ]);
  await p.up();
  // State as an older build wrote it: other provider text (as in engine-upgrade.test.ts).
  const exported = JSON.parse((await p.run(["stack", "export"])).stdout);
  for (const r of exported.deployment.resources ?? []) {
    if (r.type !== "pulumi-nodejs:dynamic/seam:AccessGroupMembership") continue;
    r.inputs.__provider = r.outputs.__provider = 'exports.handler = () => require("pulumi-seam-acs/provider").provider;\n';
  }
  const file = path.join(p.dir, "state.json");
  fs.writeFileSync(file, JSON.stringify(exported));
  await p.run(["stack", "import", "--file", file]);

  const preview = await p.previewJson(["--show-sames"]);
  expect(preview.code).toBe(0);
  const ops = JSON.parse(preview.stdout).steps.map((s: { op: string }) => s.op);
  expect(ops.filter((op: string) => op === "update")).toHaveLength(2);

  const r = await runReview(["review", "--no-names", "--fail-on-removal", "--format", "json"], { stdin: preview.stdout });
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout)).toEqual({
    removals: [],
    additions: [],
    moves: [],
    unknown: [],
    retained: [],
    refused: false,
    refusals: [],
    splitMoves: [],
    notRun: [],
    pendingOperations: null,
    notes: [],
  });
  const text = await runReview(["review", "--no-names"], { stdin: preview.stdout });
  expect(text.stdout).toBe("0 lose access, 0 gain access, 0 moved in state\n");
});
