/**
 * The review's removals are exactly the provider's. For many random changes to a stack, the
 * review of the change (a preview in the engine's step shape) is compared with what the real
 * MembershipProvider sends to Seam's fake when the engine runs that change: `check` for every
 * resource the program declares, then `delete` for every resource that leaves or is replaced.
 * Ids include UUIDs in both spellings, and state as written before ids were lower-cased.
 */
import { accessChanges } from "../src/review/access-changes";
import { membershipType, Preview } from "../src/review/preview-file";
import { MembershipProvider } from "../src/provider/membership-provider";
import { removeRoute, SeamFake, startSeamFake } from "./support/seam-fake";

let fake: SeamFake;
beforeAll(async () => {
  fake = await startSeamFake();
});
afterAll(() => fake.stop());

type Pair = { acsUserId: string; acsAccessGroupId: string };
type Resource = { name: string; pair: Pair };

/** A small deterministic generator, so a failure names a scenario that can be replayed. */
function random(seed: number) {
  let s = seed;
  return (n: number) => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s % n;
  };
}

test("over 250 random changes, the review's removals are the removes the provider sends", async () => {
  const users = [fake.addUser("a"), fake.addUser("b"), "8d7e0b3a-b889-49a7-9164-4b71a0506a33", "8D7E0B3A-B889-49A7-9164-4B71A0506A33"];
  const groups = [fake.addGroup("x"), "123e4567-e89b-12d3-a456-426614174000", "123E4567-E89B-12D3-A456-426614174000"];
  const urn = (name: string) => `urn:pulumi:s::p::${membershipType}::${name}`;
  let compared = 0;
  for (let seed = 1; seed <= 250; seed++) {
    const pick = random(seed);
    const pairAt = (): Pair => ({ acsUserId: users[pick(users.length)]!, acsAccessGroupId: groups[pick(groups.length)]! });
    const names = ["r0", "r1", "r2", "r3", "r4"];
    const old: Resource[] = names.filter(() => pick(3) > 0).map((name) => ({ name, pair: pairAt() }));
    const now: Resource[] = names
      .filter(() => pick(3) > 0)
      .map((name) => {
        const before = old.find((r) => r.name === name);
        return { name, pair: before && pick(2) === 0 ? before.pair : pairAt() };
      });

    // The provider, as the engine drives it: check every declared resource, then the deletes.
    const provider = new MembershipProvider({ SEAM_API_KEY: fake.apiKey, SEAM_ENDPOINT: fake.url });
    const checked = new Map<string, Record<string, unknown>>();
    for (const r of now) checked.set(r.name, (await provider.check({}, { ...r.pair })).inputs as Record<string, unknown>);
    const mark = fake.requests.length;
    const steps: Preview["steps"][number][] = [];
    for (const r of now) {
      const before = old.find((o) => o.name === r.name);
      const inputs = checked.get(r.name)!;
      const same = before && before.pair.acsUserId === inputs.acsUserId && before.pair.acsAccessGroupId === inputs.acsAccessGroupId;
      const oldState = before && { id: `${before.pair.acsAccessGroupId}/${before.pair.acsUserId}`, outputs: { ...before.pair } };
      steps.push({ op: before ? (same ? "same" : "replace") : "create", urn: urn(r.name), name: r.name, ...(oldState ? { old: oldState } : {}), new: { inputs } });
    }
    for (const o of old) {
      const replaced = steps.find((s) => s.name === o.name && s.op === "replace");
      if (!replaced && now.some((r) => r.name === o.name)) continue;
      // This drive runs no creates, so a pair still declared is refused (removal-policy.ts):
      // like a skip, it sends nothing, which is what the comparison below counts.
      await provider.delete(`${o.pair.acsAccessGroupId}/${o.pair.acsUserId}`, { ...o.pair }).catch((e: Error) => {
        if (!/delete refused: .* is still declared by the program/.test(e.message)) throw e;
      });
      if (!replaced) steps.push({ op: "delete", urn: urn(o.name), name: o.name, old: { id: `${o.pair.acsAccessGroupId}/${o.pair.acsUserId}`, outputs: { ...o.pair } } });
    }
    await provider.close();

    const sent = fake.requests
      .slice(mark)
      .filter((r) => r.path === removeRoute)
      .map((r) => {
        const body = r.body as { acs_user_id: string; acs_access_group_id: string };
        return `${body.acs_access_group_id}/${body.acs_user_id}`;
      });
    const reviewed = accessChanges({ steps, hiddenUnchanged: 0 }).removals.map((c) => `${c.acsAccessGroupId}/${c.acsUserId}`);
    expect({ seed, removes: [...new Set(sent)].sort() }).toEqual({ seed, removes: reviewed.sort() });
    compared += sent.length;
  }
  // The scenarios did revoke something; an always-empty comparison would prove nothing.
  expect(compared).toBeGreaterThan(50);
});
