/**
 * `pulumi-seam-acs review`: turns `pulumi preview --json` into who gains and who loses access, in
 * names, and can stop a pipeline when too many would lose it.
 * Exit codes: 0 ok; 3 the guard tripped (after printing the review); 4 a gain names a user or
 * group that does not exist (`up` would fail; also after printing); 1 bad input or failure;
 * 2 usage error (thrown as UsageError, reported by cli.ts).
 */
import fs from "node:fs";
import { parseCommandArgs } from "./parse-options";
import { UsageError, write } from "./usage";
import { accessChanges } from "../review/access-changes";
import { formatJson } from "../review/format-json";
import { formatMarkdown } from "../review/format-markdown";
import { formatText } from "../review/format-text";
import { DoorLimits, doorGuard, guard, hasDoorLimits, sharedRemovalGuard } from "../review/guard";
import { buildDoorReport } from "../review/door-report";
import { PersonChange, personChanges } from "../review/doors";
import { missingGainExitCode, missingGainsProblem } from "../review/missing-gains";
import { namesFromSeam, noNames, NameResult } from "../review/names";
import type { EngineFlags } from "../review/engine-flags";
import { PendingOperation, readPendingOperations } from "../review/pending-operations";
import { readStackConfig } from "../review/stack-config";
import { readPreview, ReviewInputError } from "../review/preview-file";
import { buildReport, Report } from "../review/report";
import { declarationsOfStacks, OtherStackError, sharedRemovals, withOtherStacks } from "../review/other-stacks";
import { readStack } from "../audit/read-stack";
import { AuditInputError } from "../audit/stack-state";

export const reviewUsage = `Usage: pulumi-seam-acs review [options]

Reads the JSON of \`pulumi preview --json --show-sames\` (stdin, or --preview FILE) and reports
who gains and who loses access, in names, netting out what the provider will net out.
For each gain and loss it reads the group's members at Seam (one request per group): a gain
the person has already is "adopted", a loss already gone is "already gone"; the summary
line counts what changes at the door. JSON items of additions and removals carry \`atSeam\`.

  pulumi preview --json --show-sames | npx pulumi-seam-acs review
  npx pulumi-seam-acs review --preview preview.json --format markdown

Options:
  --preview FILE        read the preview from FILE instead of stdin ("-" is stdin)
  --format FORMAT       text (default), markdown, or json
  --max-removals N      exit 3 when more than N memberships would lose access (counting
                        every remove \`up\` sends, already gone or not)
  --fail-on-removal     the same as --max-removals 0
  --no-doors            leave out the review in doors. By default, whenever names are read, the
                        review says for each person the entrances they gain and lose after
                        every change and every group they stay in at Seam, and the groups
                        through which a kept door stays open (one entrance list per group at
                        most, one group list per person who changes at Seam); where Seam
                        cannot say which doors a group opens, it says so for that group
  --doors               the default; accepted for scripts written for the opt-in review
  --protect-entrance E  exit 3 when anyone would lose entrance E (its name or id; repeatable),
                        or when Seam cannot say whether they would
  --max-people-losing-entrances N
                        exit 3 when more than N people would lose any entrance
  --no-names            send no request to Seam; show ids only (atSeam is null), no doors
  --require-names       exit 1 when names cannot be read (no credentials, Seam failing)
  --target URN          the preview was made with --target URN (repeat it as for pulumi;
                        \`*\` matches any run of characters); the preview's JSON does not say
  --target-dependents   the preview was made with --target-dependents
  --destroy             the preview is of \`pulumi destroy --preview-only --json\`
  --state FILE          \`pulumi stack export\` output: list operations an interrupted run
                        left pending (the preview does not show them)
  --stack NAME          read names with that stack's seam:* config (runs \`pulumi config\`
                        in the current directory: a stack of the project here), as the
                        provider would
  --also-stack NAME     another stack that may declare the same pairs (repeatable): a stack
                        of the project here, or ORG/PROJECT/STACK of any project
                        (organization/PROJECT/STACK with a DIY backend). A removal whose pair
                        it still declares is marked "still declared by stack NAME" (\`up\`
                        removes it all the same, revoking that stack's access). Reads each
                        stack with \`pulumi stack export\`; sends nothing to Seam
  --fail-on-shared-removal
                        exit 3 when any removal is still declared by an --also-stack
  -h, --help            show this help

Without --stack, names are read with credentials from the environment only (not the stack
config): SEAM_API_KEY, or SEAM_PERSONAL_ACCESS_TOKEN / SEAM_CONSOLE_SESSION_TOKEN with
SEAM_WORKSPACE_ID; SEAM_ENDPOINT unless it is Seam's own API.

Exit codes: 0 ok, 3 guard tripped (the review is printed first), 4 a gain names a user or group
Seam does not have (\`pulumi up\` would fail), 1 bad input or failure, 2 usage error.
`;

const formats = { text: formatText, markdown: formatMarkdown, json: formatJson } as const;
type Format = keyof typeof formats;

interface Options {
  readonly preview?: string;
  readonly format: Format;
  readonly maxRemovals?: number;
  readonly names: boolean;
  readonly requireNames: boolean;
  readonly doors: boolean;
  readonly doorLimits: DoorLimits;
  readonly flags: EngineFlags;
  readonly state?: string;
  readonly stack?: string;
  readonly alsoStacks: readonly string[];
  readonly failOnSharedRemoval: boolean;
}

function parseOptions(argv: string[]): Options | "help" {
  const { values, positionals } = parseCommandArgs("review", argv, {
    preview: { type: "string" },
    format: { type: "string" },
    "max-removals": { type: "string" },
    "fail-on-removal": { type: "boolean" },
    "no-names": { type: "boolean" },
    doors: { type: "boolean" },
    "no-doors": { type: "boolean" },
    "protect-entrance": { type: "string", multiple: true },
    "max-people-losing-entrances": { type: "string" },
    "require-names": { type: "boolean" },
    target: { type: "string", multiple: true },
    "target-dependents": { type: "boolean" },
    destroy: { type: "boolean" },
    state: { type: "string" },
    // Before --stack: the list of options in usage errors ends "--stack VALUE, --help" as before.
    "also-stack": { type: "string", multiple: true },
    "fail-on-shared-removal": { type: "boolean" },
    stack: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) return "help";
  const [command, ...extra] = positionals;
  if (command === undefined) throw new UsageError("no command given; the command is `review`.");
  if (command !== "review") throw new UsageError(`unknown command "${command}"; the command is \`review\`.`);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"; pass the preview with --preview FILE or on stdin.`);

  const format = values.format ?? "text";
  if (!(format in formats)) throw new UsageError(`--format must be text, markdown or json, not "${format}".`);
  let maxRemovals: number | undefined;
  if (values["max-removals"] !== undefined) {
    if (!/^\d+$/.test(values["max-removals"])) throw new UsageError(`--max-removals takes a whole number of memberships (0 or more), not "${values["max-removals"]}".`);
    maxRemovals = Number(values["max-removals"]);
  }
  if (values["fail-on-removal"]) {
    if (maxRemovals !== undefined && maxRemovals !== 0) throw new UsageError("--fail-on-removal means --max-removals 0; pass one of them.");
    maxRemovals = 0;
  }
  const protect = values["protect-entrance"] ?? [];
  if (protect.some((e) => e.trim() === "")) throw new UsageError("--protect-entrance takes an entrance's name or id (acs_entrance_id).");
  let maxPeopleLosing: number | undefined;
  if (values["max-people-losing-entrances"] !== undefined) {
    if (!/^\d+$/.test(values["max-people-losing-entrances"])) {
      throw new UsageError(`--max-people-losing-entrances takes a whole number of people (0 or more), not "${values["max-people-losing-entrances"]}".`);
    }
    maxPeopleLosing = Number(values["max-people-losing-entrances"]);
  }
  const doorLimits: DoorLimits = { protect, ...(maxPeopleLosing !== undefined ? { maxPeopleLosing } : {}) };
  // The doors are in the review whenever names are read; --doors (the default) is only checked
  // against the options that leave them out.
  const guarded = hasDoorLimits(doorLimits);
  if (values.doors && values["no-doors"]) throw new UsageError("--doors and --no-doors contradict each other; pass one of them.");
  if (guarded && values["no-doors"]) throw new UsageError("--protect-entrance and --max-people-losing-entrances read Seam's entrance lists; --no-doors leaves them out. Pass one of them.");
  if ((guarded || values.doors) && values["no-names"]) throw new UsageError("--doors, --protect-entrance and --max-people-losing-entrances read Seam's entrance lists; --no-names sends no request. Pass one of them.");
  const doors = !values["no-names"] && !values["no-doors"];
  if (values["no-names"] && values["require-names"]) throw new UsageError("--no-names and --require-names contradict each other; pass one of them.");
  if (values["no-names"] && values.stack !== undefined) throw new UsageError("--stack only says where names are read; with --no-names there are none. Pass one of them.");
  const targets = values.target ?? [];
  if (targets.some((t) => t.trim() === "")) throw new UsageError("--target takes a resource URN, as pulumi's --target does.");
  if (values["target-dependents"] && targets.length === 0) throw new UsageError("--target-dependents needs at least one --target, as for pulumi.");
  const alsoStacks = values["also-stack"] ?? [];
  if (alsoStacks.some((x) => x.trim() === "")) throw new UsageError("--also-stack takes a stack's name: STACK of the project here, or ORG/PROJECT/STACK.");
  if (values["fail-on-shared-removal"] && alsoStacks.length === 0) {
    throw new UsageError("--fail-on-shared-removal checks removals against the stacks given with --also-stack; give at least one.");
  }
  const flags: EngineFlags = {
    ...(targets.length > 0 ? { targets } : {}),
    ...(values["target-dependents"] ? { targetDependents: true } : {}),
    ...(values.destroy ? { destroy: true } : {}),
  };
  return {
    preview: values.preview,
    format: format as Format,
    maxRemovals,
    names: !values["no-names"],
    requireNames: values["require-names"] === true,
    doors,
    doorLimits,
    flags,
    ...(values.state !== undefined ? { state: values.state } : {}),
    ...(values.stack !== undefined ? { stack: values.stack } : {}),
    alsoStacks,
    failOnSharedRemoval: values["fail-on-shared-removal"] === true,
  };
}

async function readInput(preview: string | undefined): Promise<{ text: string; source: string }> {
  if (preview !== undefined && preview !== "-") {
    try {
      return { text: fs.readFileSync(preview, "utf8"), source: preview };
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const why = err.code === "ENOENT" ? "no such file" : err.code === "EISDIR" ? "it is a directory" : (err.code ?? err.message);
      throw new ReviewInputError(`Cannot read the preview ${preview}: ${why}. Write it with \`pulumi preview --json --show-sames > ${preview}\`.`);
    }
  }
  if (process.stdin.isTTY) throw new UsageError("no preview: pipe `pulumi preview --json --show-sames` into this command, or pass --preview FILE.");
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return { text: Buffer.concat(chunks).toString("utf8"), source: "stdin" };
}

async function review(options: Options): Promise<number> {
  const { text, source } = await readInput(options.preview);
  const preview = readPreview(text, source);
  const changes = accessChanges(preview, options.flags);
  const pending = options.state === undefined ? null : readState(options.state);
  // The other stacks' state first: a name that cannot be read fails before any request to Seam.
  const others = options.alsoStacks.length === 0 ? undefined : await readOtherStacks(options.alsoStacks, preview.stack);
  const all = [...changes.removals, ...changes.additions, ...changes.moves, ...changes.unknown, ...changes.retained, ...changes.refusals, ...changes.splitMoves];
  const ids = (pick: (c: (typeof all)[number]) => string | null) => all.map(pick).filter((id): id is string => id !== null);
  // One member list per group that gains, loses or moves someone: it says whether each gain or
  // loss is in place at the door already, and names the people in it without a lookup each.
  const doorGroups = [...changes.removals, ...changes.additions, ...changes.moves].map((c) => c.acsAccessGroupId);
  // The review in doors: every pair whose remove `up` sends, and every gain.
  const doorChanges = options.doors ? personChanges(changes.removals, changes.additions) : undefined;
  const named: NameResult = options.names ? await readNames(options, ids((c) => c.acsUserId), ids((c) => c.acsAccessGroupId), doorGroups, doorChanges) : { names: noNames };
  if (named.unreachable) {
    // Names, the state at the door and the doors all come from Seam: a review without them would read as "nobody affected".
    process.stderr.write(`pulumi-seam-acs review: ${named.unreachable.message} (--no-names reviews the ids without Seam.)\n`);
    return 1;
  }
  if (named.warning && options.requireNames) {
    process.stderr.write(`pulumi-seam-acs review: names are required (--require-names) but ${named.warning.replace(/^warning: /, "")}\n`);
    return 1;
  }
  const doorReport = named.doors ? buildDoorReport(named.doors, named.names) : undefined;
  const built: Report = buildReport(changes, named.names, preview.stack, named.door, pending, doorReport);
  const report = others ? withOtherStacks(built, others.stacks, others.declarations) : built;
  await write(process.stdout, formats[options.format](report));
  if (named.warning) process.stderr.write(`${named.warning}\n`);
  // The JSON has no room for caveats; a pipeline log should still show them.
  if (options.format === "json") for (const note of report.notes) process.stderr.write(`note: ${note}\n`);
  const verdict = guard(changes.removals.length, options.maxRemovals, {
    splitMoves: new Set(changes.splitMoves.map((m) => `${m.acsAccessGroupId}/${m.acsUserId}`)).size,
    refusals: changes.refusals.length,
  });
  if (verdict.tripped) process.stderr.write(`${verdict.reason}\n`);
  const sharedVerdict = sharedRemovalGuard(
    options.failOnSharedRemoval,
    sharedRemovals(report).map((r) => (r.stillDeclaredBy ?? []).map((d) => d.stack)),
  );
  if (sharedVerdict.tripped) process.stderr.write(`${sharedVerdict.reason}\n`);
  const doorVerdict = doorGuard(named.doors?.people, options.doorLimits, (id) => personLabel(doorReport, id));
  if (doorVerdict.tripped) process.stderr.write(`${doorVerdict.reason}\n`);
  // Before the guard's code: this `up` would fail whatever a reviewer decides.
  const missing = missingGainsProblem(report);
  if (missing !== undefined) {
    process.stderr.write(`${missing}\n`);
    return missingGainExitCode;
  }
  return verdict.tripped || doorVerdict.tripped || sharedVerdict.tripped ? 3 : 0;
}

/** A person as the guard's line names them: full name, else email, else the acs_user id. */
function personLabel(doors: ReturnType<typeof buildDoorReport> | undefined, acsUserId: string): string {
  const user = doors?.people.find((p) => p.acsUserId === acsUserId)?.user;
  return user?.kind === "named" ? (user.value.fullName ?? user.value.email ?? acsUserId) : acsUserId;
}

/** Names with the settings of the environment, or of `--stack`'s config and the environment. */
async function readNames(options: Options, userIds: string[], groupIds: string[], memberGroupIds: string[], doorChanges?: PersonChange[]): Promise<NameResult> {
  if (options.stack === undefined) return namesFromSeam(process.env, userIds, groupIds, memberGroupIds, undefined, doorChanges);
  let config;
  try {
    config = await readStackConfig(options.stack);
  } catch (e) {
    return { names: noNames, warning: `warning: no names (ids only): ${(e as Error).message}` };
  }
  return namesFromSeam(process.env, userIds, groupIds, memberGroupIds, config, doorChanges);
}

/** `--also-stack`: each stack's state (audit/read-stack.ts) and the pairs they declare; bad names and unreadable stacks are ReviewInputErrors. */
async function readOtherStacks(names: readonly string[], previewStack: string | undefined) {
  try {
    const states = await Promise.all(names.map((name) => readStack(name)));
    return { stacks: states.map((s) => s.stack), declarations: declarationsOfStacks(states, previewStack) };
  } catch (e) {
    if (e instanceof AuditInputError || e instanceof OtherStackError) throw new ReviewInputError(e.message);
    throw e;
  }
}

function readState(file: string): PendingOperation[] {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new ReviewInputError(`Cannot read the state ${file}: ${err.code === "ENOENT" ? "no such file" : (err.code ?? err.message)}. Write it with \`pulumi stack export > ${file}\`.`);
  }
  return readPendingOperations(text, file);
}

/** Runs `review` with the arguments after the command name; returns the exit code. */
export async function runReview(argv: string[]): Promise<number> {
  const options = parseOptions(["review", ...argv]);
  if (options === "help") {
    await write(process.stdout, reviewUsage);
    return 0;
  }
  try {
    return await review(options);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const message = e instanceof ReviewInputError ? e.message : `unexpected failure: ${(e as Error).message ?? String(e)}`;
    process.stderr.write(`pulumi-seam-acs review: ${message}\n`);
    return 1;
  }
}
