/** How AccessGroupRoster names its members: by id or by the name given, never by position. */
import * as pulumi from "@pulumi/pulumi";
import { rosterMembers } from "../src/roster/roster-members";

const ada = "8d7e0b3a-b889-49a7-9164-4b71a0506a33";
const grace = "2c1f0b3a-b889-49a7-9164-4b71a0506a33";

test("a plain list: each id names itself (UUIDs lower-case), so order does not matter and a repeat is one member", () => {
  const members = rosterMembers("lobby", [grace, ada.toUpperCase(), "acs_user7", ada]);
  expect([...members]).toEqual([
    [grace, grace],
    [ada, ada],
    ["acs_user7", "acs_user7"],
  ]);
  expect(new Set(rosterMembers("lobby", [ada, "acs_user7", grace]).keys())).toEqual(new Set(members.keys()));
});

test("the keyed form: names as given, values of any kind, plain ids in canonical form", () => {
  const later = pulumi.output(grace);
  const lookedUp = Promise.resolve("acs_user9");
  const members = rosterMembers("lobby", { ada: ada.toUpperCase(), grace: later, alan: lookedUp });
  expect([...members.keys()]).toEqual(["ada", "grace", "alan"]);
  expect(members.get("ada")).toBe(ada);
  expect(members.get("grace")).toBe(later);
  expect(members.get("alan")).toBe(lookedUp);
});

test.each([[[]], [{}]])("an empty roster (%j) is refused, as a roster file's empty group is, saying how to remove one on purpose", (empty) => {
  expect(() => rosterMembers("lobby", empty)).toThrow(
    /^AccessGroupRoster lobby: acsUserIds is empty, which would remove everyone this roster granted access\. To do that on purpose, delete the AccessGroupRoster from the program/,
  );
});

test.each([
  ["an Output in a plain list", () => [ada, pulumi.output(grace)], /AccessGroupRoster lobby: acsUserIds\[1\] is an Output or a Promise, .*Use the keyed form, naming each member: \{ ada: user\.id, grace: "…" \}\./],
  ["a Promise in a plain list", () => [Promise.resolve(ada)], /acsUserIds\[0\] is an Output or a Promise/],
  ["the whole list as an Output", () => pulumi.output([ada]), /acsUserIds must be written in the program as a list of id strings .* not be an Output or a Promise/],
  ["one id, not in a list", () => ada, /acsUserIds must be a list of id strings .* not a string \(wrap one id in a list\)\./],
  ["nothing", () => undefined, /acsUserIds is required: a list of id strings/],
  ["a number in the list", () => [ada, 7], /acsUserIds\[1\] must be a string, not a number\./],
  ["an id with a space", () => ["ada lovelace"], /acsUserIds\[0\] may contain only letters, digits and the characters _ \. : -\./],
  ["a bad id in the keyed form", () => ({ ada: "" }), /acsUserIds\.ada must not be empty\./],
  ["an empty name", () => ({ "": ada }), /acsUserIds has the name "": names must be non-empty/],
  ["a class instance", () => new Map([["ada", ada]]), /acsUserIds must be a list of id strings .* not an object of another kind \(a Map or a class instance\)\./],
])("refuses %s, saying what to write instead", (_name, value, message) => {
  expect(() => rosterMembers("lobby", value())).toThrow(message);
});
