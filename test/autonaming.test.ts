/**
 * Which `pulumi:autonaming` settings make the engine replace delete-first. The expectations are
 * what the CLI of 3.274.1 did with a dynamic resource (measured: the order of delete and create
 * in one `pulumi up` per setting), not a reading of the docs.
 */
import { deleteFirstByAutonaming } from "../src/provider/autonaming";

const type = "pulumi-nodejs:dynamic/seam:AccessGroupMembership";

test.each<[string, unknown, RegExp | undefined]>([
  ["unset", undefined, undefined],
  ["mode verbatim", { mode: "verbatim" }, /pulumi:autonaming has mode verbatim/],
  ["mode disabled", { mode: "disabled" }, /has mode disabled/],
  ["mode default", { mode: "default" }, undefined],
  ["a pattern without a random part", { pattern: "${name}" }, /pattern "\$\{name\}", which has no random part/],
  ["a pattern of stack and name only", { pattern: "${name}-${stack}" }, /no random part/],
  ["a pattern with hex", { pattern: "${name}-${hex(4)}" }, undefined],
  ["a pattern with uuid", { pattern: "${uuid}" }, undefined],
  ["verbatim for pulumi-nodejs only", { providers: { "pulumi-nodejs": { mode: "verbatim" } } }, /\(providers\.pulumi-nodejs\) has mode verbatim/],
  ["verbatim, but default for pulumi-nodejs", { mode: "verbatim", providers: { "pulumi-nodejs": { mode: "default" } } }, undefined],
  ["verbatim for this resource type", { providers: { "pulumi-nodejs": { resources: { [type]: { mode: "verbatim" } } } } }, /resources\["pulumi-nodejs:dynamic\/seam:AccessGroupMembership"\]/],
  ["verbatim for another provider only", { providers: { aws: { mode: "verbatim" } } }, undefined],
])("%s", (_name, config, expected) => {
  const raw = config === undefined ? undefined : JSON.stringify(config);
  const why = deleteFirstByAutonaming(raw, type);
  if (expected) expect(why).toMatch(expected);
  else expect(why).toBeUndefined();
});

test("text that is not an object is taken as delete-first: refusing a replacement is safe, guessing is not", () => {
  expect(deleteFirstByAutonaming("verbatim", type)).toMatch(/not an object this version can read/);
});
