/**
 * `--also-stack` without the engine: seeded random stacks (memberships and rosters, ids in either
 * case, a pair declared twice in one stack) against random removals, checked against a plain
 * oracle; the removals themselves never change; the guard trips exactly when one is shared; and
 * the phrases the formats print.
 */
import { declarationsOfStacks, OtherStackError, sharedRemovals, stillDeclaredPhrase, withOtherStacks } from "../src/review/other-stacks";
import { sharedRemovalGuard } from "../src/review/guard";
import { buildReport } from "../src/review/report";
import { noNames } from "../src/review/names";
import { formatJson } from "../src/review/format-json";
import { formatText } from "../src/review/format-text";
import type { AccessChanges, Change } from "../src/review/access-changes";
import type { StackState, StateResource } from "../src/audit/stack-state";
import { random } from "./support/random";

const membershipType = "pulumi-nodejs:dynamic/seam:AccessGroupMembership";
const rosterType = "pulumi-nodejs:dynamic/seam:AccessGroupRoster";
const users = Array.from({ length: 6 }, (_, i) => `0000000${i}-aaaa-4bbb-8ccc-dddddddddddd`);
const groups = Array.from({ length: 3 }, (_, i) => `1111111${i}-eeee-4fff-8aaa-bbbbbbbbbbbb`);
const urnOf = (project: string, stack: string, type: string, name: string) => `urn:pulumi:${stack}::${project}::${type}::${name}`;

function randomStack(pick: () => number, project: string, stack: string): { state: StackState; pairs: Map<string, string[]> } {
  const one = <T>(xs: readonly T[]) => xs[Math.floor(pick() * xs.length)]!;
  const cased = (id: string) => (pick() < 0.3 ? id.toUpperCase() : id);
  const resources: StateResource[] = [];
  const pairs = new Map<string, string[]>();
  const declare = (user: string, group: string, urn: string) => pairs.set(`${group}/${user}`, [...(pairs.get(`${group}/${user}`) ?? []), urn]);
  const n = Math.floor(pick() * 6);
  for (let i = 0; i < n; i++) {
    if (pick() < 0.7) {
      const [user, group] = [one(users), one(groups)];
      const urn = urnOf(project, stack, membershipType, `m${i}`);
      resources.push({ urn, type: membershipType, id: `${group}/${user}`, outputs: { acsUserId: cased(user), acsAccessGroupId: cased(group) } });
      declare(user, group, urn);
    } else {
      const group = one(groups);
      const members = [...new Set(Array.from({ length: 1 + Math.floor(pick() * 3) }, () => one(users)))];
      const urn = urnOf(project, stack, rosterType, `r${i}`);
      resources.push({ urn, type: rosterType, id: group, outputs: { acsAccessGroupId: cased(group), members: members.map(cased) } });
      for (const u of members) declare(u, group, urn);
    }
  }
  // A resource of another package declares nothing.
  resources.push({ urn: urnOf(project, stack, "pulumi:pulumi:Stack", `${project}-${stack}`), type: "pulumi:pulumi:Stack", outputs: {} });
  return { state: { stack: `${project}/${stack}`, source: `stack organization/${project}/${stack}`, resources }, pairs };
}

function changesWith(removals: Change[]): AccessChanges {
  return { removals, additions: [], moves: [], unknown: [], hiddenUnchanged: 0, retained: [], refusals: [], splitMoves: [], notRun: [] };
}

test("seeded: each removal lists exactly the given stacks whose state declares its pair; the removals are unchanged; the guard trips iff any is shared", () => {
  let sharedSeen = 0;
  let unsharedSeen = 0;
  for (let seed = 1; seed <= 300; seed++) {
    const pick = random(seed);
    const stacks = Array.from({ length: 1 + Math.floor(pick() * 3) }, (_, i) => randomStack(pick, `p${i % 2}`, `s${i}`));
    const removals: Change[] = [];
    for (const u of users) {
      for (const g of groups) {
        if (pick() < 0.25) removals.push({ acsUserId: u, acsAccessGroupId: g, resources: [urnOf("me", "prod", membershipType, `${u}-${g}`)], before: [], after: [] });
      }
    }
    const report = buildReport(changesWith(removals), noNames, "me/prod");
    const annotated = withOtherStacks(report, stacks.map((s) => s.state.stack), declarationsOfStacks(stacks.map((s) => s.state), "me/prod"));
    expect(annotated.removals.map(({ stillDeclaredBy: _, ...rest }) => rest)).toEqual(report.removals);
    for (const r of annotated.removals) {
      const expected = stacks
        .filter((s) => s.pairs.has(`${r.acsAccessGroupId}/${r.acsUserId}`))
        .map((s) => ({ stack: s.state.stack, resources: [...new Set(s.pairs.get(`${r.acsAccessGroupId}/${r.acsUserId}`))] }));
      expect({ seed, pair: `${r.acsAccessGroupId}/${r.acsUserId}`, by: r.stillDeclaredBy }).toEqual({ seed, pair: `${r.acsAccessGroupId}/${r.acsUserId}`, by: expected });
      if (expected.length > 0) sharedSeen++;
      else unsharedSeen++;
    }
    const shared = sharedRemovals(annotated);
    const verdict = sharedRemovalGuard(true, shared.map((r) => r.stillDeclaredBy!.map((d) => d.stack)));
    expect(verdict.tripped).toBe(shared.length > 0);
    expect(sharedRemovalGuard(false, shared.map((r) => r.stillDeclaredBy!.map((d) => d.stack))).tripped).toBe(false);
    expect(JSON.parse(formatJson(annotated)).removals.length).toBe(removals.length);
    expect(annotated.notes.length).toBe(shared.length > 0 ? 1 : 0);
  }
  // The seeds cover both outcomes many times.
  expect(sharedSeen).toBeGreaterThan(100);
  expect(unsharedSeen).toBeGreaterThan(100);
});

test("the preview's own stack and a stack given twice are refused", () => {
  const s = (stack: string, source = `stack ${stack}`): StackState => ({ stack, source, resources: [] });
  expect(() => declarationsOfStacks([s("p/a")], "p/a")).toThrow(new OtherStackError("--also-stack: stack p/a is p/a, the stack this preview is of; give the other stacks that may declare the same pairs."));
  expect(() => declarationsOfStacks([s("p/b", "stack b"), s("p/b", "stack organization/p/b")], "p/a")).toThrow(
    "The stack p/b is given twice (stack b and stack organization/p/b); give each stack once.",
  );
});

test("the phrases: one stack, several stacks, none; text puts it after the resources", () => {
  const [u, g] = [users[0]!, groups[0]!];
  const removal: Change = { acsUserId: u, acsAccessGroupId: g, resources: [urnOf("me", "prod", membershipType, "ada-lobby")], before: [], after: [] };
  const report = buildReport(changesWith([removal]), noNames, "me/prod");
  const by = (stacks: string[]) => new Map([[`${g}/${u}`, stacks.map((stack) => ({ stack, resources: [urnOf(stack.split("/")[0]!, stack.split("/")[1]!, membershipType, "x")] }))]]);
  const one = withOtherStacks(report, ["b/prod"], by(["b/prod"]));
  expect(stillDeclaredPhrase(one.removals[0]!)).toBe("still declared by stack b/prod (x): removing it revokes b/prod's access");
  expect(formatText(one).split("\n")).toContain(`  ${u} — ${g} — ada-lobby — still declared by stack b/prod (x): removing it revokes b/prod's access`);
  expect(formatText(one).split("\n")[0]).toBe("1 loses access, 0 gain access, 0 moved in state, 1 still declared by another stack");
  const two = withOtherStacks(report, ["b/prod", "c/dev"], by(["b/prod", "c/dev"]));
  expect(stillDeclaredPhrase(two.removals[0]!)).toBe("still declared by stacks b/prod (x), c/dev (x): removing it revokes their access");
  const none = withOtherStacks(report, ["b/prod"], new Map());
  expect(stillDeclaredPhrase(none.removals[0]!)).toBeUndefined();
  expect(formatText(none)).toBe(formatText(report));
  expect(JSON.parse(formatJson(none))).toEqual({ ...JSON.parse(formatJson(report)), alsoStacks: ["b/prod"], removals: [{ ...JSON.parse(formatJson(report)).removals[0], stillDeclaredBy: [] }] });
});
