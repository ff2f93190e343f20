/**
 * The removal policy (decideRemoval), and the facts the provider feeds it (DeploymentFacts), under
 * the call orders the engine uses: create-first and delete-first replacements, renames, swaps,
 * failed and skipped creates (--continue-on-error), destroy. Pure: no Seam, no engine.
 */
import { DeploymentFacts } from "../src/provider/deployment-facts";
import { decideRemoval, RemovalFacts } from "../src/provider/removal-policy";

const P = { acsUserId: "u1", acsAccessGroupId: "g1" };

describe("decideRemoval", () => {
  test.each<[string, RemovalFacts, "remove" | "skip" | "refuse", RegExp | null]>([
    ["nobody declares it (destroy, or the pair left the program)", { deleteFirstReplacement: false, heldByAnotherResource: false, declared: false }, "remove", null],
    ["another resource holds it (rename, swap, move)", { deleteFirstReplacement: false, heldByAnotherResource: true, declared: true }, "skip", null],
    ["held by a resource the engine did not check (legacy duplicate kept by diff)", { deleteFirstReplacement: false, heldByAnotherResource: true, declared: false }, "skip", null],
    ["declared, but its declarer failed or did not run", { deleteFirstReplacement: false, heldByAnotherResource: false, declared: true }, "refuse", /has not entered the state.*--continue-on-error.*stays in the state/],
    ["a delete-first replacement, pair undeclared so far", { deleteFirstReplacement: true, heldByAnotherResource: false, declared: false }, "refuse", /delete-first.*deleteBeforeReplace.*pulumi:autonaming.*nothing was changed/],
    ["a delete-first replacement, pair held", { deleteFirstReplacement: true, heldByAnotherResource: true, declared: true }, "refuse", /delete-first/],
  ])("%s → %s", (_case, facts, action, why) => {
    const decision = decideRemoval(P, facts);
    expect(decision.action).toBe(action);
    if (why) expect(decision.action !== "remove" && decision.why).toMatch(why);
    if (decision.action === "refuse") expect(decision.why).toContain("acs_user_id u1 in acs_access_group_id g1");
  });
});

/** A small deterministic generator, so a failure names a scenario that can be replayed. */
function random(seed: number) {
  // mulberry32: the low bits of a plain LCG repeat with a short period, which a `% 2` would see.
  let s = seed >>> 0;
  return (n: number) => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) % n);
  };
}

type Pair = { acsUserId: string; acsAccessGroupId: string };
const key = (p: Pair) => `${p.acsAccessGroupId}/${p.acsUserId}`;

test("over 2000 random changes under random engine orders: no declared pair is removed, every granted pair stays tracked", () => {
  let removed = 0;
  let refused = 0;
  let skipped = 0;
  for (let seed = 1; seed <= 2000; seed++) {
    const pick = random(seed);
    const pairAt = (): Pair => ({ acsUserId: `u${pick(3)}`, acsAccessGroupId: `g${pick(2)}` });
    const names = ["r0", "r1", "r2", "r3", "r4"];
    // Old state: one declarer per pair (as pair-claims keeps it), and Seam holds every pair in it.
    const state = new Map<string, Pair>();
    for (const name of names) {
      const p = pairAt();
      if (pick(3) > 0 && ![...state.values()].some((q) => key(q) === key(p))) state.set(name, p);
    }
    const seam = new Set([...state.values()].map(key));
    // The new program: the old pairs and two random ones, shuffled onto the names (so pairs stay,
    // move, swap, leave and arrive), one declarer per pair too.
    const program = new Map<string, Pair>();
    const candidates = [...state.values(), pairAt(), pairAt()];
    for (let i = candidates.length - 1; i > 0; i--) {
      const j = pick(i + 1);
      [candidates[i], candidates[j]] = [candidates[j]!, candidates[i]!];
    }
    for (const name of names) {
      const p = pick(4) > 0 ? candidates.pop() : undefined;
      if (p && ![...program.values()].some((q) => key(q) === key(p))) program.set(name, p);
    }
    const deleteFirst = pick(4) === 0; // deleteBeforeReplace set by a transform, or pulumi:autonaming
    const failing = new Set(names.filter(() => pick(5) === 0)); // creates that fail (--continue-on-error)
    const removes: string[] = [];
    const facts = new DeploymentFacts();
    const runDelete = (name: string, p: Pair): boolean => {
      const decision = decideRemoval(p, facts.forDelete(key(p), p));
      if (decision.action === "refuse") {
        refused++;
        return false;
      }
      if (decision.action === "remove") {
        removes.push(key(p));
        seam.delete(key(p));
        removed++;
      } else skipped++;
      state.delete(name);
      return true;
    };
    const created = new Map<string, Pair>();
    // The engine registers the program's resources in order: check, diff, and the step.
    for (const [name, p] of program) {
      facts.checked(p);
      const old = state.get(name);
      if (old && key(old) === key(p)) {
        facts.kept(p);
        continue;
      }
      if (old) {
        facts.replacing(key(old), p);
        if (deleteFirst && !runDelete(name, old)) continue; // refused: the replacement does not run
      }
      facts.creating(p);
      if (failing.has(name)) continue;
      seam.add(key(p));
      facts.recorded(p);
      created.set(name, p);
    }
    // Then the deletes: replaced resources (create-first) and resources that left the program.
    for (const [name, p] of [...state]) {
      const now = program.get(name);
      if (now && key(now) === key(p)) continue;
      if (now && !created.has(name)) continue; // the replacement failed: the engine keeps the old one
      runDelete(name, p);
    }
    for (const [name, p] of created) state.set(name === "" ? name : `${name}'`, p);

    const declared = new Set([...program.values()].map(key));
    const tracked = new Set([...state.values()].map(key));
    const scenario = { seed, removes: removes.filter((r) => declared.has(r)), untracked: [...seam].filter((s) => !tracked.has(s)) };
    expect(scenario).toEqual({ seed, removes: [], untracked: [] });
  }
  // Every branch was taken many times; a policy that always refused would fail the counts below.
  expect(removed).toBeGreaterThan(300);
  expect(skipped).toBeGreaterThan(100);
  expect(refused).toBeGreaterThan(50);
});

test("the facts: a replacement is pending from diff until its create starts; holding comes from diff or a recorded create", () => {
  const facts = new DeploymentFacts();
  const q = { acsUserId: "u1", acsAccessGroupId: "g2" };
  facts.checked(q);
  facts.replacing("g1/u1", q);
  expect(facts.forDelete("g1/u1", P)).toEqual({ deleteFirstReplacement: true, heldByAnotherResource: false, declared: false });
  facts.creating(q);
  expect(facts.forDelete("g1/u1", P).deleteFirstReplacement).toBe(false);
  expect(facts.forDelete("g2/u1", q)).toEqual({ deleteFirstReplacement: false, heldByAnotherResource: false, declared: true });
  facts.recorded(q);
  expect(facts.forDelete("g2/u1", q).heldByAnotherResource).toBe(true);
  facts.kept(P);
  expect(facts.forDelete("g1/u1", P).heldByAnotherResource).toBe(true);
});
