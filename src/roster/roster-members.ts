/**
 * The members of an AccessGroupRoster, each under the stable name its membership is known by.
 *
 * Pulumi knows a resource by its name, so a child's name must not depend on where an id sits in
 * the list: then reordering changes nothing, and adding or dropping one person touches only that
 * person. A plain string names itself (its canonical form: UUIDs lower-case, as the provider
 * writes them), so the same id twice is one membership. A value that is not known yet when the
 * program runs (an Output or a Promise, e.g. another resource's id or an email lookup) cannot
 * name anything; it needs a name given by the program: the keyed form `{ ada: user.id }`.
 */
import * as pulumi from "@pulumi/pulumi";
import { canonical, seamIdProblem } from "../provider/inputs";
import { programError } from "../program/program-error";

/** A list of plain id strings, or stable names mapped to ids of any kind. */
export type RosterMembers = readonly string[] | { readonly [name: string]: pulumi.Input<string> };

const forms = 'a list of id strings (["8d7e…", …]) or names mapped to ids ({ ada: "8d7e…", grace: user.id })';

/** Stable name → acsUserId; throws an error that names the roster, the entry and what to write instead. */
export function rosterMembers(roster: string, acsUserIds: unknown): Map<string, pulumi.Input<string>> {
  const fail = (what: string): never => {
    // The program's mistake: printed once, as the message alone.
    throw programError(`AccessGroupRoster ${roster}: ${what}`);
  };
  if (acsUserIds === undefined || acsUserIds === null) fail(`acsUserIds is required: ${forms}.`);
  if (isPending(acsUserIds)) {
    fail(`acsUserIds must be written in the program as ${forms}, not be an Output or a Promise: the roster names one membership per entry before such a value is known.`);
  }
  const members = new Map<string, pulumi.Input<string>>();
  if ((Array.isArray(acsUserIds) && acsUserIds.length === 0) || (isPlainObjectValue(acsUserIds) && Object.keys(acsUserIds).length === 0)) {
    // The same rule as a roster file's empty group: an empty list is far more often a list that
    // failed to fill (a filter, a file read) than a decision to lock everyone out.
    fail(
      "acsUserIds is empty, which would remove everyone this roster granted access. To do that on purpose, delete the " +
        "AccessGroupRoster from the program (its memberships are then removed); otherwise list at least one member.",
    );
  }
  if (Array.isArray(acsUserIds)) {
    acsUserIds.forEach((id: unknown, i) => {
      if (isPending(id)) {
        fail(
          `acsUserIds[${i}] is an Output or a Promise, whose value is not known when the roster names its memberships, so it ` +
            `cannot give one a stable name. Use the keyed form, naming each member: { ada: user.id, grace: "…" }.`,
        );
      }
      const problem = seamIdProblem(id);
      if (problem) fail(`acsUserIds[${i}] ${problem}.`);
      const key = canonical(id as string);
      members.set(key, key);
    });
    return members;
  }
  if (typeof acsUserIds !== "object" || !isPlainObject(acsUserIds as object)) fail(`acsUserIds must be ${forms}, not ${describe(acsUserIds)}.`);
  for (const [name, id] of Object.entries(acsUserIds as object)) {
    if (name === "" || name.trim() !== name) fail(`acsUserIds has the name ${JSON.stringify(name)}: names must be non-empty and without leading or trailing whitespace.`);
    if (!isPending(id)) {
      const problem = seamIdProblem(id);
      if (problem) fail(`acsUserIds.${name} ${problem}.`);
    }
    members.set(name, typeof id === "string" ? canonical(id) : (id as pulumi.Input<string>));
  }
  return members;
}

function isPending(value: unknown): boolean {
  return pulumi.Output.isInstance(value) || (typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function");
}

function isPlainObjectValue(value: unknown): value is object {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !isPending(value) && isPlainObject(value);
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function describe(value: unknown): string {
  if (typeof value === "string") return "a string (wrap one id in a list)";
  if (typeof value === "object") return "an object of another kind (a Map or a class instance)";
  return `a ${typeof value}`;
}
