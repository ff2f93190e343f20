/**
 * `pulumi-seam-acs audit`: reads stacks' state (`pulumi stack export`) and the current members of
 * every access group they touch (one `/acs/access_groups/list_users` per group), and reports
 * unmanaged access, memberships lost out of band, pairs shared by stacks and stuck pending
 * changes, in names. Read-only: it sends no add or remove, and writes no state.
 * Exit codes: 0 ok; 3 a finding named in --fail-on is not empty (after printing the audit);
 * 1 bad input or Seam unreadable; 2 usage error (thrown as UsageError, reported by cli.ts).
 */
import fs from "node:fs";
import { parseCommandArgs } from "./parse-options";
import { runCommand, UsageError, write } from "./usage";
import { auditFindings, Declaration, touchedGroups } from "../audit/findings";
import { formatAuditJson } from "../audit/format-json";
import { formatAuditMarkdown } from "../audit/format-markdown";
import { formatAuditText } from "../audit/format-text";
import { AuditReport, buildAuditReport, FindingKind, findingKinds } from "../audit/report";
import { pairsDeclaredBy } from "../audit/state-pairs";
import { canonical } from "../provider/inputs";
import { AuditInputError, readStackState, StackState } from "../audit/stack-state";
import { readStack, StackCommandError, stackLocation } from "../audit/read-stack";
import { readStackConfig } from "../review/stack-config";
import type { ConfigSource } from "../seam/settings";
import { namesSettings, readFromSeam } from "../review/names";
import { Entrance, SeamClient } from "../seam/client";
import { AccessInputError, entranceAccess, findEntrances, personAccess } from "../audit/access";
import { AccessAudit, formatAccessJson, formatAccessMarkdown, formatAccessText } from "../audit/format-access";
import { changingEntrances } from "../review/doors";

export const auditUsage = `Usage: pulumi-seam-acs audit --state FILE [--state FILE …] [options]
       pulumi-seam-acs audit --entrance NAME|ID | --person EMAIL|ACS_USER_ID [--state FILE …]

Compares what stacks' state tracks with who is in those access groups at Seam now, and
reports, in names:
  unmanaged  access at Seam in those groups that no resource of these stacks declares
             (console grants, integrations, killed runs, other stacks, retainOnDelete)
  missing    memberships the state tracks that Seam no longer has (lost out of band)
  shared     pairs declared by more than one of the given stacks (they revoke each other)
  pending    membership changes still pending at the access system (pending_mutations)
             for longer than --pending-older-than
Read-only: one /acs/access_groups/list_users per group, one name per group, and one lookup
per person who is in none of the listed groups. Nothing is added, removed or written.

  pulumi stack export --stack prod > prod.json
  npx pulumi-seam-acs audit --state prod.json --fail-on unmanaged,missing

Options:
  --state FILE                 a \`pulumi stack export\` file (repeatable; "-" is stdin)
  --stack NAME                 run \`pulumi stack export --stack NAME\` (repeatable): a stack of
                               the project here, or ORG/PROJECT/STACK of any project, from any
                               directory (organization/PROJECT/STACK with a DIY backend)
  --format FORMAT              text (default), markdown, or json
  --fail-on KINDS              exit 3 when any of these findings is not empty: a comma list
                               of unmanaged, missing, shared, pending (or "all")
  --pending-older-than SECONDS report pending changes older than this (default 3600)
  --doors                      name the entrances each finding's group opens (one
                               list_accessible_entrances per group)
  --entrance NAME|ID           who can open this entrance at Seam, through which group, and
                               which of those pairs the given stacks declare (repeatable)
  --person EMAIL|ACS_USER_ID   everything this person can open, across access systems
                               through their user identity, each with its group (repeatable)
  -h, --help                   show this help

Settings come, as the review's, from the first --stack's seam:* config (when it is a stack of
the project here) and then the environment; otherwise from the environment: SEAM_API_KEY, or
SEAM_PERSONAL_ACCESS_TOKEN / SEAM_CONSOLE_SESSION_TOKEN with SEAM_WORKSPACE_ID; SEAM_ENDPOINT.

Exit codes: 0 ok, 3 a finding named in --fail-on (the audit is printed first), 1 bad input or
Seam could not be read, 2 usage error.
`;

const formats = { text: formatAuditText, markdown: formatAuditMarkdown, json: formatAuditJson } as const;
type Format = keyof typeof formats;

export const defaultPendingOlderThanSeconds = 3600;

interface Options {
  readonly states: readonly string[];
  readonly stacks: readonly string[];
  readonly format: Format;
  readonly failOn: ReadonlySet<FindingKind>;
  readonly pendingOlderThanSeconds: number;
  readonly doors: boolean;
  readonly entrances: readonly string[];
  readonly people: readonly string[];
}

function parseOptions(argv: string[]): Options | "help" {
  // One frame for every command's options: an unknown one is named, with the list (parse-options.ts).
  const { values, positionals } = parseCommandArgs("audit", argv, {
    state: { type: "string", multiple: true },
    stack: { type: "string", multiple: true },
    format: { type: "string" },
    "fail-on": { type: "string" },
    "pending-older-than": { type: "string" },
    doors: { type: "boolean" },
    entrance: { type: "string", multiple: true },
    person: { type: "string", multiple: true },
    help: { type: "boolean", short: "h" },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"; audit takes only options.`);
  if (values.help) return "help";
  const states = values.state ?? [];
  const stacks = values.stack ?? [];
  const entrances = values.entrance ?? [];
  const people = values.person ?? [];
  if ([...entrances, ...people].some((x) => x.trim() === "")) throw new UsageError("--entrance takes an entrance's name or id; --person an email or an acs_user id.");
  const access = entrances.length + people.length > 0;
  if (!access && states.length + stacks.length === 0) {
    throw new UsageError("audit needs a stack's state: --state FILE (from `pulumi stack export`) or --stack NAME; or --entrance / --person.");
  }
  if (access && (values["fail-on"] !== undefined || values.doors)) throw new UsageError("--fail-on and --doors are for the findings; with --entrance or --person the audit lists access only.");
  const format = values.format ?? "text";
  if (!(format in formats)) throw new UsageError(`--format must be text, markdown or json, not "${format}".`);
  const failOn = new Set<FindingKind>();
  for (const kind of (values["fail-on"] ?? "").split(",").map((k) => k.trim()).filter((k) => k !== "")) {
    if (kind === "all") findingKinds.forEach((k) => failOn.add(k));
    else if ((findingKinds as readonly string[]).includes(kind)) failOn.add(kind as FindingKind);
    else throw new UsageError(`--fail-on takes ${findingKinds.join(", ")} or all (comma-separated), not "${kind}".`);
  }
  let pendingOlderThanSeconds = defaultPendingOlderThanSeconds;
  if (values["pending-older-than"] !== undefined) {
    if (!/^\d+$/.test(values["pending-older-than"])) throw new UsageError(`--pending-older-than takes whole seconds (0 or more), not "${values["pending-older-than"]}".`);
    pendingOlderThanSeconds = Number(values["pending-older-than"]);
  }
  return { states, stacks, format: format as Format, failOn, pendingOlderThanSeconds, doors: values.doors === true, entrances, people };
}

async function readStateFile(file: string): Promise<StackState> {
  if (file === "-") {
    if (process.stdin.isTTY) throw new UsageError("--state - reads stdin, but nothing is piped into it.");
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return readStackState(Buffer.concat(chunks).toString("utf8"), "stdin");
  }
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new AuditInputError(`Cannot read the state ${file}: ${code === "ENOENT" ? "no such file" : (code ?? String(e))}. Write it with \`pulumi stack export --stack NAME > ${file}\`.`);
  }
  return readStackState(text, file);
}

/** `--stack NAME`: the stack's state through the pulumi CLI (audit/read-stack.ts), from any directory. */
function exportStack(name: string): Promise<StackState> {
  return readStack(name).catch((e: unknown) => {
    throw e instanceof StackCommandError ? new AuditInputError(`${e.message.replace(/\.$/, "")}. Or pass the export with --state FILE.`) : e;
  });
}

async function audit(options: Options): Promise<number> {
  const states = [...(await Promise.all(options.states.map(readStateFile))), ...(await Promise.all(options.stacks.map(exportStack)))];
  const seen = new Map<string, string>();
  for (const s of states) {
    const earlier = seen.get(s.stack);
    if (earlier !== undefined) throw new AuditInputError(`The stack ${s.stack} is given twice (${earlier} and ${s.source}); give each stack once.`);
    seen.set(s.stack, s.source);
  }
  const declarations: Declaration[] = states.flatMap((s) => s.resources.flatMap((r) => pairsDeclaredBy(r).map((ids) => ({ stack: s.stack, urn: r.urn, ids }))));
  const groups = touchedGroups(declarations);

  // As the review: with --stack, the (first) stack's own seam:* config, then the environment;
  // otherwise the environment only. A stack's config is in its project's directory: a first
  // stack of another project (ORG/PROJECT/STACK) leaves the environment only.
  let config: ConfigSource | undefined;
  const configStack = options.stacks[0] !== undefined && stackLocation(options.stacks[0]).inCurrentProject ? options.stacks[0] : undefined;
  if (configStack !== undefined) {
    try {
      config = await readStackConfig(configStack);
    } catch (e) {
      throw new AuditInputError((e as Error).message);
    }
  }
  let client: SeamClient;
  try {
    client = new SeamClient(namesSettings(process.env, config));
  } catch (e) {
    // SeamConfigError messages name keys, never values.
    const source = config
      ? `the config of stack ${configStack} and the environment`
      : `the environment (SEAM_* variables)${options.stacks.length > 0 ? `: the config of stack ${options.stacks[0]}, of another project than this directory's, is not read` : ""}`;
    throw new AuditInputError(`${(e as Error).message} The audit read its settings from ${source}.`);
  }
  if (options.entrances.length + options.people.length > 0) {
    try {
      return await auditAccess(client, options, declarations.length > 0 || states.length > 0 ? declarations : null);
    } finally {
      await client.close();
    }
  }
  let report: AuditReport;
  let warning: string | undefined;
  try {
    // Everyone the states name, so that a missing pair's person is named too; list members are named by their list.
    const users = declarations.map((d) => d.ids.acsUserId);
    const read = await readFromSeam(client, users, groups, groups);
    // Seam could not be reached: one line that names the endpoint, not a count of unread groups.
    if (client.unreachable) throw client.unreachable;
    const door = read.door!;
    const unread = groups.filter((g) => door.members(g) === undefined);
    if (unread.length > 0) {
      // An audit that could not see a group must not read as clean.
      const lists = read.warning?.split("\n").find((l) => l.includes("members of")) ?? "";
      throw new AuditInputError(`the members of ${unread.length} of ${groups.length} access groups could not be read, so there is no audit: ${lists.replace(/^.*?: /, "")}`);
    }
    warning = read.warning;
    const findings = auditFindings({
      declarations,
      members: (g) => door.members(g) as Exclude<ReturnType<typeof door.members>, undefined>,
      otherUsers: read.readUsers,
      pendingOlderThanSeconds: options.pendingOlderThanSeconds,
      now: Date.now(),
    });
    // Names of people in findings but in no list (e.g. a missing pair's) come from the lookups above.
    report = buildAuditReport(findings, read.names, states.map((s) => s.stack), options.pendingOlderThanSeconds, options.doors ? await groupDoors(client, groups) : undefined);
  } finally {
    // undici keeps idle sockets open, which would hold the process for its keep-alive timeout.
    await client.close();
  }
  await write(process.stdout, formats[options.format](report));
  if (warning) process.stderr.write(`${warning}\n`);
  const failing = findingKinds.filter((k) => options.failOn.has(k) && report[k].length > 0);
  if (failing.length > 0) {
    process.stderr.write(`pulumi-seam-acs audit: ${failing.map((k) => `${report[k].length} ${k}`).join(", ")} (--fail-on ${[...options.failOn].join(",")}).\n`);
    return 3;
  }
  return 0;
}

/** Who can open the entrances and what the people can open, with the stacks' declarations (null without states). */
async function auditAccess(client: SeamClient, options: Options, declarations: Declaration[] | null): Promise<number> {
  const entrances = (await Promise.all(options.entrances.map((e) => findEntrances(client, e)))).flat();
  const audit: AccessAudit = {
    entrances: entrances.length > 0 ? await entranceAccess(client, entrances) : [],
    people: await Promise.all(options.people.map((q) => personAccess(client, q))),
    declarations,
  };
  const format = { text: formatAccessText, markdown: formatAccessMarkdown, json: formatAccessJson }[options.format];
  await write(process.stdout, format(audit));
  return 0;
}

/** Each touched group's entrances (one list each), "changing" when its door set is, "unreadable" when Seam did not answer. */
async function groupDoors(client: SeamClient, groups: readonly string[]): Promise<(g: string) => readonly Entrance[] | "changing" | "unreadable"> {
  const records = await client.listAccessGroups().catch(() => []);
  const doors = new Map<string, readonly Entrance[] | "changing" | "unreadable">();
  await Promise.all(
    groups.map(async (g) => {
      if (records.find((r) => canonical(r.acsAccessGroupId) === g)?.pendingMutations?.some((m) => m.mutation_code === changingEntrances)) {
        doors.set(g, "changing");
        return;
      }
      doors.set(g, await client.listAccessibleEntrances(g).then((es) => es ?? [], () => "unreadable" as const));
    }),
  );
  return (g) => doors.get(canonical(g)) ?? "unreadable";
}

/** Runs `audit` with the arguments after the command name; returns the exit code. */
export function runAudit(argv: string[]): Promise<number> {
  return runCommand("audit", auditUsage, parseOptions(argv), audit, (e) => e instanceof AuditInputError || e instanceof AccessInputError);
}
