/**
 * The audit's and the export's pure units: findings against a plain oracle on seeded random
 * worlds, pending mutations as Seam's OpenAPI has them, the state readers (and how a new resource
 * type plugs in), and a roster that loadRoster reads back.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { auditFindings, Declaration } from "../src/audit/findings";
import { pendingMembershipChanges } from "../src/audit/pending";
import { pairsDeclaredBy, statePairReaders } from "../src/audit/state-pairs";
import { readStackState } from "../src/audit/stack-state";
import { memberEntry, rosterName, rosterYaml } from "../src/export/roster-export";
import { loadRoster } from "../src/roster/roster-file";
import type { AcsUser } from "../src/seam/client";

import { random } from "./support/random";

const user = (id: string, extra: Partial<AcsUser> = {}): AcsUser => ({ acsUserId: id, pendingMutations: [], ...extra });

test("findings equal a plain oracle's on 300 seeded random worlds (stacks, members, gone groups)", () => {
  for (let seed = 1; seed <= 300; seed++) {
    const rnd = random(seed);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
    const users = ["u1", "u2", "u3", "u4", "u5"];
    const groups = ["g1", "g2", "g3"];
    const stacks = ["p/a", "p/b", "p/c"];
    const declarations: Declaration[] = [];
    for (let i = 0, n = Math.floor(rnd() * 8); i < n; i++) {
      const stack = pick(stacks);
      declarations.push({ stack, urn: `urn:pulumi:${stack.split("/")[1]}::p::t::r${i}`, ids: { acsUserId: pick(users), acsAccessGroupId: pick(groups) } });
    }
    const atSeam = new Map<string, Map<string, AcsUser> | "missing">();
    for (const g of groups) atSeam.set(g, rnd() < 0.15 ? "missing" : new Map(users.filter(() => rnd() < 0.4).map((u) => [u, user(u)])));
    const f = auditFindings({ declarations, members: (g) => atSeam.get(g)!, pendingOlderThanSeconds: 60, now: 0 });

    const key = (u: string, g: string) => `${g}/${u}`;
    const declared = new Map<string, Set<string>>();
    for (const d of declarations) {
      const k = key(d.ids.acsUserId, d.ids.acsAccessGroupId);
      declared.set(k, new Set([...(declared.get(k) ?? []), d.stack]));
    }
    const touched = new Set(declarations.map((d) => d.ids.acsAccessGroupId));
    const expectUnmanaged: string[] = [];
    for (const g of touched) {
      const m = atSeam.get(g)!;
      if (m !== "missing") for (const u of m.keys()) if (!declared.has(key(u, g))) expectUnmanaged.push(key(u, g));
    }
    const expectMissing = [...declared.keys()].filter((k) => {
      const [g, u] = k.split("/") as [string, string];
      const m = atSeam.get(g)!;
      return m === "missing" || !m.has(u);
    });
    const expectShared = [...declared].filter(([, s]) => s.size > 1).map(([k]) => k);
    const keys = (xs: readonly { acsUserId: string; acsAccessGroupId: string }[]) => xs.map((x) => key(x.acsUserId, x.acsAccessGroupId)).sort();
    expect({ seed, unmanaged: keys(f.unmanaged), missing: keys(f.missing), shared: keys(f.shared) }).toEqual({
      seed,
      unmanaged: expectUnmanaged.sort(),
      missing: expectMissing.sort(),
      shared: expectShared.sort(),
    });
    for (const s of f.shared) expect(s.stacks.length).toBeGreaterThan(1);
  }
});

test("ids compare as the provider compares them: a capitalised UUID in old state is the same pair", () => {
  const id = "8d7e0b3a-b889-49a7-9164-4b71a0506a33";
  const group = "123e4567-e89b-12d3-a456-426614174000";
  const f = auditFindings({
    declarations: [{ stack: "p/a", urn: "urn:a", ids: { acsUserId: id.toUpperCase(), acsAccessGroupId: group.toUpperCase() } }],
    members: () => new Map([[id, user(id)]]),
    pendingOlderThanSeconds: 0,
    now: 0,
  });
  expect(f).toMatchObject({ unmanaged: [], missing: [], shared: [], groups: [group] });
});

test("pending: membership mutations of touched groups older than the threshold; others passed over", () => {
  const now = Date.parse("2026-11-30T12:00:00Z");
  const changes = pendingMembershipChanges(
    [
      { mutation_code: "updating_group_membership", from: { acs_access_group_id: "g1" }, to: { acs_access_group_id: "g2" }, created_at: "2026-11-30T10:00:00Z", message: "" },
      { mutation_code: "deferring_group_membership_update", acs_access_group_id: "g3", variant: "removing", created_at: "2026-11-30T11:59:00Z", message: "" },
      { mutation_code: "updating_user_information", from: {}, to: {}, created_at: "2026-11-30T00:00:00Z", message: "" },
      { mutation_code: "deferring_group_membership_update", acs_access_group_id: "g1", variant: "adding", created_at: "not a date", message: "" },
    ],
    now,
  );
  expect(changes).toEqual([
    { acsAccessGroupId: "g1", mutationCode: "updating_group_membership", variant: "leaving", createdAt: "2026-11-30T10:00:00Z", ageSeconds: 7200 },
    { acsAccessGroupId: "g2", mutationCode: "updating_group_membership", variant: "joining", createdAt: "2026-11-30T10:00:00Z", ageSeconds: 7200 },
    { acsAccessGroupId: "g3", mutationCode: "deferring_group_membership_update", variant: "removing", createdAt: "2026-11-30T11:59:00Z", ageSeconds: 60 },
    { acsAccessGroupId: "g1", mutationCode: "deferring_group_membership_update", variant: "adding", createdAt: "not a date", ageSeconds: null },
  ]);
  const stuck = user("u1", { pendingMutations: [{ mutation_code: "deferring_group_membership_update", acs_access_group_id: "g1", variant: "adding", created_at: "2026-11-30T10:00:00Z", message: "" }] });
  // A person in no member list (their add is not in place yet), read one by one.
  const input = {
    declarations: [{ stack: "p/a", urn: "urn:a", ids: { acsUserId: "u1", acsAccessGroupId: "g1" } }],
    members: () => new Map<string, AcsUser>(),
    otherUsers: new Map([["u1", stuck]]),
    now,
  };
  expect(auditFindings({ ...input, pendingOlderThanSeconds: 3600 }).pending).toEqual([
    { acsUserId: "u1", acsAccessGroupId: "g1", stacks: ["p/a"], resources: ["urn:a"], change: expect.objectContaining({ ageSeconds: 7200 }) },
  ]);
  expect(auditFindings({ ...input, pendingOlderThanSeconds: 7201 }).pending).toEqual([]);
});

describe("state readers", () => {
  const membership = "pulumi-nodejs:dynamic/seam:AccessGroupMembership";
  const state = (resources: object[]) => readStackState(JSON.stringify({ version: 3, deployment: { resources } }), "state.json");

  test("a membership by its outputs, or by its id when old state has none; other packages' resources declare nothing", () => {
    const s = state([
      { urn: "urn:pulumi:prod::doors::pulumi:pulumi:Stack::doors-prod", type: "pulumi:pulumi:Stack" },
      { urn: "urn:pulumi:prod::doors::" + membership + "::a", type: membership, id: "G1/U1", outputs: { acsUserId: "u1", acsAccessGroupId: "g1" } },
      { urn: "urn:pulumi:prod::doors::" + membership + "::b", type: membership, id: "g2/u2" },
    ]);
    expect(s.stack).toBe("doors/prod");
    expect(s.resources.flatMap((r) => pairsDeclaredBy(r))).toEqual([
      { acsUserId: "u1", acsAccessGroupId: "g1" },
      { acsUserId: "u2", acsAccessGroupId: "g2" },
    ]);
  });

  test("an AccessGroupRoster declares each member it holds, in both stored shapes; a type of ours nobody reads is an error", () => {
    const rosterType = "pulumi-nodejs:dynamic/seam:AccessGroupRoster";
    const roster = (name: string, members: unknown) => ({ urn: "urn:pulumi:prod::doors::" + rosterType + "::" + name, type: rosterType, id: "roster:g1", outputs: { acsAccessGroupId: "g1", members } });
    const [list, named] = state([roster("lobby", ["u1", "u2"]), roster("lab", { ada: "u3" })]).resources;
    expect(pairsDeclaredBy(list!)).toEqual([
      { acsUserId: "u1", acsAccessGroupId: "g1" },
      { acsUserId: "u2", acsAccessGroupId: "g1" },
    ]);
    expect(pairsDeclaredBy(named!)).toEqual([{ acsUserId: "u3", acsAccessGroupId: "g1" }]);
    const future = "pulumi-nodejs:dynamic/seam:AccessGroupSchedule";
    const [other] = state([{ urn: "urn:pulumi:prod::doors::" + future + "::x", type: future, id: "x", outputs: {} }]).resources;
    expect(() => pairsDeclaredBy(other!)).toThrow(/of type pulumi-nodejs:dynamic\/seam:AccessGroupSchedule, which this version of pulumi-seam-acs cannot read; its access would show as unmanaged/);
  });

  test("ids kept as secrets cannot be audited, and say so", () => {
    const [r] = state([{ urn: "urn:x", type: membership, id: "g1/u1", outputs: { acsUserId: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "v1:abc" }, acsAccessGroupId: "g1" } }]).resources;
    expect(() => pairsDeclaredBy(r!)).toThrow(/holds the ids of urn:x as secrets/);
  });

  test("not a stack export: a clear message", () => {
    expect(() => readStackState('{"steps":[]}', "x.json")).toThrow(/looks like `pulumi preview --json` output/);
    expect(() => readStackState("", "x.json")).toThrow(/x\.json is empty/);
    expect(() => readStackState('{"version": 3}', "x.json")).toThrow(/not a `pulumi stack export` document/);
  });
});

describe("export", () => {
  const ada = user("u1", { fullName: "Ada", email: "Ada@Example.com" });
  const twin1 = user("u2", { fullName: "Twin", email: "twin@example.com" });
  const twin2 = user("u3", { userIdentityEmail: "twin@example.com" });
  const plain = user("u4", { fullName: "No email" });

  test("by email only where it names exactly this user among those the lookup searches", () => {
    const everyone = [ada, twin1, twin2, plain];
    expect(memberEntry(ada, everyone)).toEqual({ by: "email", value: "ada@example.com" });
    expect(memberEntry(twin1, everyone)).toEqual({ by: "acsUserId", value: "u2", why: "2 ACS users have its email" });
    expect(memberEntry(plain, everyone)).toEqual({ by: "acsUserId", value: "u4" });
    expect(memberEntry(ada, [twin1])).toEqual({ by: "acsUserId", value: "u1", why: "its email does not find it" });
  });

  test("roster names from group names: lower-case, dashes, unique", () => {
    expect(rosterName("Main Lobby (North)", new Set())).toBe("main-lobby-north");
    expect(rosterName("Main lobby north", new Set(["main-lobby-north"]))).toBe("main-lobby-north-2");
    expect(rosterName("☃", new Set())).toBe("group");
  });

  test("the file loadRoster reads back: the same groups and members; hostile names stay inside comments; empty groups left out", () => {
    const yaml = rosterYaml(
      [
        // Ada listed twice (as the fake lists a repeated add) is written once.
        { acsAccessGroupId: "g1", name: "Lobby", acsSystemId: "s1", members: [plain, ada, twin1, ada], searchable: [ada, twin1, twin2, plain] },
        { acsAccessGroupId: "g2", name: "Vault\ngroups: {}", members: [user("u9", { fullName: "Eve\n  - acsUserId: u666 # " })], searchable: [] },
        { acsAccessGroupId: "g3", name: "Empty", members: [], searchable: [] },
      ],
      "header line one\nline two",
    );
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "roster-export-")), "roster.yaml");
    fs.writeFileSync(file, yaml);
    const loaded = loadRoster(file);
    expect(Object.keys(loaded)).toEqual(["lobby", "vault-groups"]);
    expect(loaded.lobby!.acsAccessGroupId).toBe("g1");
    expect(Object.keys(loaded.lobby!.acsUserIds).sort()).toEqual(["ada@example.com", "u2", "u4"]);
    expect(Object.keys(loaded["vault-groups"]!.acsUserIds)).toEqual(["u9"]);
    expect(yaml).toContain("  # Empty (g3) has no members at Seam; a roster lists at least one, so it is left out.");
    expect(yaml.startsWith("# header line one\n# line two\ngroups:\n")).toBe(true);
  });
});
