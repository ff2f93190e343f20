/**
 * Roster files: who is in which access group, in YAML or JSON (one schema; JSON is read as the
 * YAML it is), for the people who keep a building's access list rather than its code.
 *
 * ```yaml
 * groups:
 *   lobby:
 *     acsAccessGroupId: 123e4567-e89b-12d3-a456-426614174000
 *     acsSystemId: 5d4f…      # optional: where email lookups look
 *     members:
 *       - acsUserId: 8d7e0b3a-b889-49a7-9164-4b71a0506a33
 *       - email: ada@example.com
 * ```
 *
 * A file that is wrong in any way fails as a whole, before anything is declared, with every
 * problem at its line, column and field: a half-read roster would revoke the access of everyone
 * it failed to read.
 */
import fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { isMap, isScalar, LineCounter, parseDocument, type Document } from "yaml";
import { z } from "zod";
import type { AccessGroupRosterArgs } from "../access-group-roster";
import { canonical, seamIdProblem } from "../provider/inputs";
import { emailProblem } from "./email";
import { lookupAcsUser } from "./lookup-acs-user";
import { programError } from "../program/program-error";

export interface RosterProblem {
  readonly line: number;
  readonly column: number;
  /** Where in the file, e.g. `groups.lobby.members[1].email`. */
  readonly field: string;
  readonly message: string;
}

/** Every problem of one roster file; a pulumi.RunError, so a program prints the message alone, once. */
export class RosterFileError extends pulumi.RunError {
  override readonly name = "RosterFileError";
  constructor(
    readonly file: string,
    readonly problems: readonly RosterProblem[],
  ) {
    super(
      `Roster file ${file} has ${problems.length === 1 ? "a problem" : `${problems.length} problems`}; nothing was declared:\n` +
        problems.map((p) => `  ${file}:${p.line}:${p.column}: ${p.field ? `${p.field}: ` : ""}${p.message}`).join("\n"),
    );
  }
}

const seamId = z.string().superRefine((value, ctx) => {
  const problem = seamIdProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

const member = z
  .strictObject({ acsUserId: seamId.optional(), email: z.string().optional() })
  .superRefine((m, ctx) => {
    if ((m.acsUserId === undefined) === (m.email === undefined)) {
      ctx.addIssue({ code: "custom", message: "give a member either acsUserId or email (exactly one)" });
    }
    const problem = m.email === undefined ? undefined : emailProblem(m.email);
    if (problem) ctx.addIssue({ code: "custom", path: ["email"], message: problem });
  });

const group = z.strictObject({
  acsAccessGroupId: seamId,
  acsSystemId: seamId.optional(),
  // `members:` with nothing after it is YAML's null: an empty group, not a type error.
  members: z.preprocess(
    (v) => (v === null ? [] : v),
    z.array(member).min(1, {
      error: "lists no members; list at least one (to take everyone this file granted out of the group, delete the group from the file)",
    }),
  ),
});

const rosterFile = z.strictObject({
  groups: z
    .record(
      z.string().refine((name) => name !== "" && name.trim() === name, { error: "group names must be non-empty and without leading or trailing whitespace" }),
      group,
    )
    .refine((groups) => Object.keys(groups).length > 0, {
      error: "lists no groups; a roster file that declares nothing would revoke everything it ever granted",
    }),
});

/** The keys allowed at each level, for "unknown key" messages. */
const allowedKeys = (path: readonly PropertyKey[]): string[] =>
  path.length === 0 ? ["groups"] : path.length === 2 ? Object.keys(group.shape) : ["acsUserId", "email"];

type RosterFile = z.infer<typeof rosterFile>;

/**
 * Reads a roster file (a path relative to the program's directory, where `pulumi` runs it) and
 * returns, per group name, what AccessGroupRoster takes. Members by `acsUserId` are named by the
 * id (canonical form), members by `email` by the email in lower case, and looked up once with
 * lookupAcsUser; a failed lookup names the file and line it came from.
 */
export function loadRoster(path: string): Record<string, AccessGroupRosterArgs> {
  let text: string;
  try {
    text = fs.readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw programError(`Roster file ${path} cannot be read (${code === "ENOENT" ? "there is no such file" : (code ?? String(e))}); paths are relative to the program's directory.`);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at: At = (offset, field, message) => {
    const { line, col } = lines.linePos(offset);
    return { line, column: col, field, message };
  };
  if (doc.errors.length > 0) {
    throw new RosterFileError(path, doc.errors.map((e) => at(e.pos[0], "", `not valid YAML or JSON: ${firstLine(e.message)}`)));
  }
  const data = doc.toJS();
  if (data === null || data === undefined) throw new RosterFileError(path, [{ line: 1, column: 1, field: "", message: "the file is empty; it should have groups:" }]);
  const parsed = rosterFile.safeParse(data, { reportInput: true });
  // Every problem in one run: duplicates are looked for in whatever reads as groups and members,
  // also when other entries are wrong.
  const problems = [...(parsed.success ? [] : parsed.error.issues.flatMap((issue) => problemsOf(doc, issue, at))), ...duplicateProblems(doc, data, at)];
  if (problems.length > 0 || !parsed.success) throw new RosterFileError(path, problems.sort(byPosition));
  return rosterArgs(path, doc, parsed.data, at);
}

type At = (offset: number, field: string, message: string) => RosterProblem;

function rosterArgs(path: string, doc: Document, file: RosterFile, at: At): Record<string, AccessGroupRosterArgs> {
  const out: Record<string, AccessGroupRosterArgs> = {};
  for (const [name, g] of Object.entries(file.groups)) {
    const acsUserIds: Record<string, string | Promise<string>> = {};
    g.members.forEach((m, i) => {
      if (m.acsUserId !== undefined) {
        acsUserIds[canonical(m.acsUserId)] = canonical(m.acsUserId);
        return;
      }
      const email = m.email!;
      const where = ["groups", name, "members", i, "email"];
      const p = at(offsetOf(doc, where), fieldName(where), "");
      const id = lookupAcsUser({ email, ...(g.acsSystemId !== undefined ? { acsSystemId: g.acsSystemId } : {}) }).then(
        (u) => u.acsUserId,
        (e: Error) => {
          throw programError(`${path}:${p.line}:${p.column}: ${p.field}: ${e.message}`);
        },
      );
      // Pulumi reports the failure where the id is used; a roster never built must not crash the program.
      id.catch(() => undefined);
      acsUserIds[email.toLowerCase()] = id;
    });
    out[name] = { acsAccessGroupId: canonical(g.acsAccessGroupId), acsUserIds };
  }
  return out;
}

/**
 * A member listed twice in a group, or one group under two names: each is surely a slip. Reads
 * the raw data leniently (entries of the wrong shape are skipped; the schema reports them), so
 * duplicates are reported in the same run as every other problem.
 */
function duplicateProblems(doc: Document, data: unknown, at: At): RosterProblem[] {
  const problems: RosterProblem[] = [];
  const groupsData = (data as { groups?: unknown } | null)?.groups;
  if (!isRecord(groupsData)) return problems;
  const groups = new Map<string, string>();
  for (const [name, g] of Object.entries(groupsData)) {
    if (!isRecord(g)) continue;
    if (typeof g.acsAccessGroupId === "string" && seamIdProblem(g.acsAccessGroupId) === undefined) {
      const groupId = canonical(g.acsAccessGroupId);
      const here = ["groups", name, "acsAccessGroupId"];
      const earlier = groups.get(groupId);
      if (earlier !== undefined) {
        problems.push(at(offsetOf(doc, here), fieldName(here), `the group ${g.acsAccessGroupId} is already listed as ${earlier} (line ${at(keyOffset(doc, ["groups"], earlier), "", "").line}); merge the two`));
      } else groups.set(groupId, name);
    }
    if (!Array.isArray(g.members)) continue;
    const seen = new Map<string, number>();
    g.members.forEach((m: unknown, i) => {
      if (!isRecord(m)) return;
      const id = typeof m.acsUserId === "string" && seamIdProblem(m.acsUserId) === undefined ? m.acsUserId : undefined;
      const email = typeof m.email === "string" && emailProblem(m.email) === undefined ? m.email : undefined;
      // A member with both or neither is reported by the schema; it names no one to compare.
      if ((id === undefined) === (email === undefined)) return;
      const key = id !== undefined ? `id:${canonical(id)}` : `email:${email!.toLowerCase()}`;
      const field = id !== undefined ? "acsUserId" : "email";
      const first = seen.get(key);
      const where = ["groups", name, "members", i, field];
      if (first === undefined) seen.set(key, i);
      else {
        const line = lineOf(doc, at, ["groups", name, "members", first]);
        problems.push(at(offsetOf(doc, where), fieldName(where), `duplicate member: ${id ?? email} is already listed at line ${line} (members[${first}])`));
      }
    });
  }
  return problems;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function problemsOf(doc: Document, issue: z.core.$ZodIssue, at: At): RosterProblem[] {
  const path = issue.path as PropertyKey[];
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) =>
      at(keyOffset(doc, path, key), fieldName([...path, key]), `unknown key "${key}"; expected ${allowedKeys(path).join(", ")}`),
    );
  }
  if (issue.code === "invalid_type" && issue.input === undefined) {
    return [at(offsetOf(doc, path.slice(0, -1)), fieldName(path.slice(0, -1)), `${String(path.at(-1))} is required`)];
  }
  if (issue.code === "invalid_type") {
    return [at(offsetOf(doc, path), fieldName(path), `must be ${expectedOf(issue.expected)}, not ${describe(issue.input)}`)];
  }
  if (issue.code === "invalid_key") {
    return [at(keyOffset(doc, path.slice(0, -1), path.at(-1)!), fieldName(path), issue.issues[0]?.message ?? issue.message)];
  }
  return [at(offsetOf(doc, path), fieldName(path), issue.message)];
}

/** Where the node at `path` starts, or the nearest enclosing node that exists. */
function offsetOf(doc: Document, path: readonly PropertyKey[]): number {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n) as unknown[], true);
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range) return range[0];
  }
  return 0;
}

/** Where the key `key` of the map at `path` is written. */
function keyOffset(doc: Document, path: readonly PropertyKey[], key: PropertyKey): number {
  const map = path.length === 0 ? doc.contents : doc.getIn(path as unknown[], true);
  if (isMap(map)) {
    const pair = map.items.find((p) => isScalar(p.key) && String(p.key.value) === String(key));
    if (pair && isScalar(pair.key) && pair.key.range) return pair.key.range[0];
  }
  return offsetOf(doc, path);
}

function lineOf(doc: Document, at: At, path: readonly PropertyKey[]): number {
  return at(offsetOf(doc, path), "", "").line;
}

function fieldName(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join("");
}

function expectedOf(expected: string): string {
  return { string: "a string", object: "a mapping of keys to values", array: "a list", record: "a mapping of keys to values" }[expected] ?? expected;
}

function describe(value: unknown): string {
  if (value === null) return "empty (null)";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return `a ${typeof value} (${JSON.stringify(value)})`;
}

function firstLine(text: string): string {
  return text.split("\n")[0]!;
}

function byPosition(a: RosterProblem, b: RosterProblem): number {
  return a.line - b.line || a.column - b.column;
}
