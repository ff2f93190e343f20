/**
 * The roster's pure units: what the engine should do with a change (roster-plan.ts), and how the
 * review reads a roster step per member (roster-steps.ts), checked against each other over
 * random changes (seeded, so a failure replays): a member the review says loses access is exactly
 * one the plan leaves to a delete, and no update ever drops a member.
 */
import { unknownValue } from "../src/provider/inputs";
import { membersProperty, rosterFromState, validateRosterInputs } from "../src/provider/roster-inputs";
import { planRosterDiff } from "../src/provider/roster-plan";
import { accessChanges } from "../src/review/access-changes";
import { rosterStepAsMemberships } from "../src/review/roster-steps";

const G = "8d7e0b3a-b889-49a7-9164-4b71a0506a33";
const U = (i: number) => `acs_user_${i}`;

function roster(members: string[] | Record<string, string>, group = G) {
  const checked = validateRosterInputs({ acsAccessGroupId: group, members });
  if (!checked.ok) throw new Error(JSON.stringify(checked.failures));
  return checked.roster;
}

test("gains update in place; any loss, a new group or an unknown member replaces; names or code alone update; nothing else is a change", () => {
  expect(planRosterDiff(roster([U(1)]), roster([U(1), U(2)]), false)).toEqual({ kind: "update", gained: [U(2)] });
  expect(planRosterDiff(roster([U(1), U(2)]), roster([U(2), U(3)]), false)).toEqual({ kind: "replace", why: "members-leave" });
  expect(planRosterDiff(roster([U(1)]), roster([U(1)], "other-group"), false)).toEqual({ kind: "replace", why: "group" });
  expect(planRosterDiff(roster({ ada: U(1) }), roster({ ada: U(1), grace: unknownValue }), false)).toEqual({ kind: "replace", why: "unknown" });
  expect(planRosterDiff(roster({ ada: U(1) }), roster({ lovelace: U(1) }), false)).toEqual({ kind: "update", gained: [] });
  expect(planRosterDiff(roster([U(1)]), roster([U(1)]), true)).toEqual({ kind: "update", gained: [] });
  expect(planRosterDiff(roster([U(2), U(1), U(1)]), roster([U(1), U(2)]), false)).toEqual({ kind: "none" });
  // UUIDs in capitals are the same member (canonical), as state written before lower-casing.
  expect(planRosterDiff(rosterFromState({ acsAccessGroupId: G.toUpperCase(), members: [G.toUpperCase()] }), roster([G]), false)).toEqual({ kind: "none" });
});

test("the review of a roster step agrees with the plan over 500 random changes", () => {
  let s = 7;
  const pick = (n: number) => ((s = (s * 1103515245 + 12345) % 2 ** 31), s % n);
  const urn = "urn:pulumi:s::p::pulumi-nodejs:dynamic/seam:AccessGroupRoster::lobby";
  for (let seed = 0; seed < 500; seed++) {
    const members = () => Object.fromEntries(Array.from({ length: pick(5) }, () => U(pick(6))).map((id) => [`n-${id}`, id]));
    const list = pick(2) === 0;
    const olds = members();
    const news = members();
    const oldShape = roster(list ? Object.values(olds) : olds);
    const newShape = roster(list ? Object.values(news) : news);
    const plan = planRosterDiff(oldShape, newShape, false);
    const op = plan.kind === "replace" ? "replace" : plan.kind === "update" ? "update" : "same";
    const step = {
      op,
      urn,
      name: "lobby",
      old: { id: `roster:${G}`, outputs: { acsAccessGroupId: G, members: membersProperty(oldShape.list, oldShape.members) } },
      new: { inputs: { acsAccessGroupId: G, members: membersProperty(newShape.list, newShape.members) } },
    };
    const changes = accessChanges({ steps: [step], hiddenUnchanged: 0 });
    const before = new Set(Object.values(olds));
    const after = new Set(Object.values(news));
    const context = `seed ${seed}: ${JSON.stringify({ olds, news, plan })}`;
    expect([context, changes.removals.map((c) => c.acsUserId).sort()]).toEqual([context, [...before].filter((id) => !after.has(id)).sort()]);
    expect([context, changes.additions.map((c) => c.acsUserId).sort()]).toEqual([context, [...after].filter((id) => !before.has(id)).sort()]);
    expect([context, changes.moves]).toEqual([context, []]);
    // Losses only through a replacement, whose delete runs after every check.
    if (changes.removals.length > 0) expect([context, plan.kind]).toEqual([context, "replace"]);
    expect(rosterStepAsMemberships(step).every((m) => m.urn.startsWith(`${urn}[`))).toBe(true);
  }
});

test("pairsOfStateResource: a roster's state gives one pair per member in place, a membership its one pair, other types nothing", () => {
  const { pairsOfStateResource } = require("../src/provider/state-pairs") as typeof import("../src/provider/state-pairs");
  expect(pairsOfStateResource({ type: "pulumi-nodejs:dynamic/seam:AccessGroupRoster", id: `roster:${G}`, outputs: { acsAccessGroupId: G.toUpperCase(), members: { ada: U(1), grace: U(2) } } })).toEqual([
    { acsUserId: U(1), acsAccessGroupId: G, member: "ada" },
    { acsUserId: U(2), acsAccessGroupId: G, member: "grace" },
  ]);
  expect(pairsOfStateResource({ type: "pulumi-nodejs:dynamic/seam:AccessGroupRoster", outputs: { acsAccessGroupId: G, members: [U(3)] } })).toEqual([{ acsUserId: U(3), acsAccessGroupId: G, member: U(3) }]);
  expect(pairsOfStateResource({ type: "pulumi-nodejs:dynamic/seam:AccessGroupMembership", id: `${G}/${U(4)}`, outputs: {} })).toEqual([{ acsUserId: U(4), acsAccessGroupId: G }]);
  // The native roster (seam:index:AccessGroupRoster) reads the same, its member set named acsUserIds.
  expect(pairsOfStateResource({ type: "seam:index:AccessGroupRoster", custom: true, outputs: { acsAccessGroupId: G, acsUserIds: [U(1)] } })).toEqual([{ acsUserId: U(1), acsAccessGroupId: G, member: U(1) }]);
  expect(pairsOfStateResource({ type: "seam:index:AccessGroupMembership", custom: true, id: `${G}/${U(4)}`, outputs: { acsUserId: U(4), acsAccessGroupId: G } })).toEqual([{ acsUserId: U(4), acsAccessGroupId: G }]);
  // 0.1.0's component roster had the native roster's type token: as a component it declares
  // nothing itself (its child memberships do), and is not read as a native roster.
  expect(pairsOfStateResource({ type: "seam:index:AccessGroupRoster", custom: false, outputs: { acsUserIds: [U(1)] } })).toBeUndefined();
  expect(pairsOfStateResource({ type: "example:index:Roster", outputs: { acsUserIds: [U(1)] } })).toBeUndefined();
});

describe("engine facts of a roster step hold for each of its members", () => {
  const urn = (name: string) => `urn:pulumi:s::p::pulumi-nodejs:dynamic/seam:AccessGroupRoster::${name}`;
  const state = (ids: string[]) => ({ id: `roster:${G}`, outputs: { acsAccessGroupId: G, members: ids } });

  test("retainOnDelete on a roster: every member released with access kept, none removed", () => {
    const changes = accessChanges({ steps: [{ op: "delete", urn: urn("lobby"), name: "lobby", old: { ...state([U(1), U(2)]), retainOnDelete: true } }], hiddenUnchanged: 0 });
    expect(changes.removals).toEqual([]);
    expect(changes.retained.map((r) => r.acsUserId).sort()).toEqual([U(1), U(2)]);
  });

  test("a roster whose delete is refused for one member removes none of its members", () => {
    // "lab" is replaced delete-first (refused at up) with inputs declaring U(1); "lobby" leaves the
    // program holding U(1) and U(2): U(1)'s declarer will not enter the state, so lobby's delete is
    // refused whole, and U(2) is not removed either.
    const changes = accessChanges({
      steps: [
        { op: "replace", urn: urn("lab"), name: "lab", old: { ...state([U(3)]), pendingReplacement: true }, new: { inputs: { acsAccessGroupId: G, members: [U(1), U(3)] } } },
        { op: "delete", urn: urn("lobby"), name: "lobby", old: state([U(1), U(2)]) },
      ],
      hiddenUnchanged: 0,
    });
    expect(changes.removals).toEqual([]);
    const reasons = Object.fromEntries(changes.refusals.filter((r) => r.resources.some((u) => u.startsWith(urn("lobby")))).map((r) => [r.acsUserId, r.reason]));
    expect(reasons).toEqual({ [U(1)]: "declared-not-in-state", [U(2)]: "roster-delete-refused" });
  });
});
