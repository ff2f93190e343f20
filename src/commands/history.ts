/**
 * `pulumi-seam-acs history`: for every pair (acs_user_id, acs_access_group_id) the given stacks
 * declared at any update, the intervals during which they held it, each bounded by the updates
 * that opened and closed it (src/history/). Questions: --person, --group, --entrance, --since,
 * --until, and --at (who held access at an instant, by group and by door).
 * Read-only: the stacks' history is read through the pulumi CLI (`stack history`, `whoami`,
 * `stack export --version`) or a DIY backend's history files; Seam is asked only for people by
 * email, groups by name, and doors. Nothing is added, removed or written.
 * Exit codes: 0 ok; 1 bad input, a stack or Seam unreadable; 2 usage error.
 */
import { parseCommandArgs } from "./parse-options";
import { runCommand, UsageError, write } from "./usage";
import { AccessInputError, findEntrances, findPerson } from "../audit/access";
import { AuditInputError } from "../audit/stack-state";
import { readStackConfig } from "../review/stack-config";
import { namesSettings } from "../review/names";
import { canonical } from "../provider/inputs";
import { SeamClient } from "../seam/client";
import { SeamApiError } from "../seam/errors";
import type { ConfigSource } from "../seam/settings";
import { byDoor, groupsOpening, readGroupEntrances, type GroupEntrances } from "../history/doors";
import { byPairThenTime, intervalsOf, type Interval } from "../history/intervals";
import { holdersAt, selectIntervals } from "../history/query";
import { runPulumi } from "../history/pulumi-cli";
import type { HistoryQuestion, HistoryReport } from "../history/report";
import { readHistoryDir, readStackHistory, type StackHistory } from "../history/stack-history";
import { formatHistoryText } from "../history/format-text";
import { formatHistoryMarkdown } from "../history/format-markdown";
import { formatHistoryJson } from "../history/format-json";
import { formatHistoryCsv } from "../history/format-csv";

export const historyUsage = `Usage: pulumi-seam-acs history --stack NAME [--stack NAME …] [options]
       pulumi-seam-acs history --history-dir DIR [options]

For every pair (acs_user_id, acs_access_group_id) the stacks declared at any update, the
intervals during which they held it: from the update that granted it to the update that ended
it (version, time, kind, message, commit, author, CI run, pull request where Pulumi recorded
them). A pair moved between resources (a rename, into or out of a roster) stays one interval.
Read-only: nothing is sent to Seam but the reads an email, a group name or a door needs.

  npx pulumi-seam-acs history --stack prod --entrance "Server room" --at 2026-11-03T23:00:00Z

Options:
  --stack NAME             a stack of the program in this directory (repeatable): its history
                           through the pulumi CLI, or a file:// backend's history files
  --history-dir DIR        a directory of DIY history files (<stack>-<time>.history.json and
                           .checkpoint.json), e.g. a bucket backend's copied here (repeatable)
  --person EMAIL|ACS_USER_ID  only this person's intervals (repeatable; an email through Seam)
  --group ID|NAME          only this access group's intervals (repeatable; a name through Seam)
  --entrance NAME|ID       only the groups that open this entrance at Seam now (repeatable)
  --since TIME             only intervals that still held access at or after TIME
  --until TIME             only intervals that began at or before TIME
  --at TIME                who held access at TIME, by group and by door
  --no-doors               with --at: leave out the doors (no Seam request)
  --format FORMAT          text (default), markdown, json, or csv
  -h, --help               show this help

TIME is ISO 8601 with a zone (2026-11-03T23:00:00Z, 2026-11-03T23:00+01:00) or a date (UTC
midnight). Settings for Seam come, as the audit's, from the first --stack's seam:* config and
then the environment (SEAM_API_KEY, …; SEAM_ENDPOINT).

Exit codes: 0 ok, 1 bad input or a stack or Seam could not be read, 2 usage error.
`;

const formats = { text: formatHistoryText, markdown: formatHistoryMarkdown, json: formatHistoryJson, csv: formatHistoryCsv } as const;
type Format = keyof typeof formats;

interface Options {
  readonly stacks: readonly string[];
  readonly dirs: readonly string[];
  readonly people: readonly string[];
  readonly groups: readonly string[];
  readonly entrances: readonly string[];
  readonly since?: { text: string; ms: number };
  readonly until?: { text: string; ms: number };
  readonly at?: { text: string; ms: number };
  readonly doors: boolean;
  readonly format: Format;
}

/** An ISO 8601 instant with its zone, or a date (UTC midnight); a local time without a zone is refused (it would mean another instant elsewhere). */
export function parseInstant(option: string, value: string): { text: string; ms: number } {
  const v = value.trim();
  const date = /^\d{4}-\d{2}-\d{2}$/.test(v);
  const full = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(v);
  const ms = Date.parse(date ? `${v}T00:00:00Z` : v.replace(" ", "T"));
  if ((!date && !full) || Number.isNaN(ms)) {
    throw new UsageError(`${option} takes an ISO 8601 time with its zone (e.g. 2026-11-03T23:00:00Z) or a date (2026-11-03), not "${value}".`);
  }
  return { text: new Date(ms).toISOString().replace(".000Z", "Z"), ms };
}

function parseOptions(argv: string[]): Options | "help" {
  const { values, positionals } = parseCommandArgs("history", argv, {
    stack: { type: "string", multiple: true },
    "history-dir": { type: "string", multiple: true },
    person: { type: "string", multiple: true },
    group: { type: "string", multiple: true },
    entrance: { type: "string", multiple: true },
    since: { type: "string" },
    until: { type: "string" },
    at: { type: "string" },
    "no-doors": { type: "boolean" },
    format: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"; history takes only options.`);
  if (values.help) return "help";
  const stacks = values.stack ?? [];
  const dirs = values["history-dir"] ?? [];
  if (stacks.length + dirs.length === 0) throw new UsageError("history needs a stack: --stack NAME (in the program's directory) or --history-dir DIR.");
  const lists = { person: values.person ?? [], group: values.group ?? [], entrance: values.entrance ?? [], stack: stacks, "history-dir": dirs };
  for (const [name, list] of Object.entries(lists)) if (list.some((x) => x.trim() === "")) throw new UsageError(`--${name} needs a value.`);
  const format = values.format ?? "text";
  if (!(format in formats)) throw new UsageError(`--format must be text, markdown, json or csv, not "${format}".`);
  if (values["no-doors"] && values.at === undefined) throw new UsageError("--no-doors goes with --at (only --at reads doors for the holders).");
  const since = values.since === undefined ? undefined : parseInstant("--since", values.since);
  const until = values.until === undefined ? undefined : parseInstant("--until", values.until);
  if (since && until && since.ms > until.ms) throw new UsageError(`--since ${values.since} is after --until ${values.until}.`);
  return {
    stacks,
    dirs,
    people: lists.person,
    groups: lists.group,
    entrances: lists.entrance,
    ...(since ? { since } : {}),
    ...(until ? { until } : {}),
    ...(values.at !== undefined ? { at: parseInstant("--at", values.at) } : {}),
    doors: values["no-doors"] !== true,
    format: format as Format,
  };
}

/** A Seam client made on first use, with the audit's settings (the first --stack's config, then the environment). */
class LazySeam {
  private client: SeamClient | undefined;
  constructor(private readonly stack: string | undefined) {}
  async get(why: string): Promise<SeamClient> {
    if (this.client) return this.client;
    let config: ConfigSource | undefined;
    if (this.stack !== undefined) {
      try {
        config = await readStackConfig(this.stack);
      } catch (e) {
        throw new AuditInputError(`${(e as Error).message} (Seam is needed for ${why}).`);
      }
    }
    try {
      this.client = new SeamClient(namesSettings(process.env, config));
    } catch (e) {
      const source = config ? `the config of stack ${this.stack} and the environment` : "the environment (SEAM_* variables)";
      throw new AuditInputError(`${(e as Error).message} Seam is needed for ${why}; the settings were read from ${source}.`);
    }
    return this.client;
  }
  async close(): Promise<void> {
    await this.client?.close();
  }
}

async function history(options: Options): Promise<number> {
  const histories: StackHistory[] = [];
  for (const s of options.stacks) histories.push(await readStackHistory(runPulumi, s));
  for (const d of options.dirs) histories.push(readHistoryDir(d));
  const seen = new Map<string, string>();
  for (const h of histories) {
    const earlier = seen.get(h.stack);
    if (earlier !== undefined) throw new AuditInputError(`The stack ${h.stack} is given twice (${earlier} and ${h.source}); give each stack once.`);
    seen.set(h.stack, h.source);
  }
  const all: Interval[] = histories.flatMap((h) => intervalsOf(h.stack, h.steps)).sort(byPairThenTime);
  const historyGroups = new Set(all.map((i) => canonical(i.acsAccessGroupId)));
  const seam = new LazySeam(options.stacks[0]);
  let report: HistoryReport;
  try {
    const question: { -readonly [K in keyof HistoryQuestion]: HistoryQuestion[K] } = {};
    let users: Set<string> | undefined;
    if (options.people.length > 0) {
      users = new Set();
      const people = [];
      for (const q of options.people) {
        // An id needs no Seam: people deleted from Seam since still have their history.
        const ids = q.includes("@") ? (await findPerson(await seam.get(`--person ${q}`), q.trim())).map((u) => canonical(u.acsUserId)) : [canonical(q.trim())];
        if (ids.length === 0) throw new AccessInputError(`No ACS user or user identity at Seam has the email "${q}"; a person no longer at Seam can be asked for by acs_user id.`);
        ids.forEach((id) => users!.add(id));
        people.push({ query: q, acsUserIds: ids });
      }
      question.people = people;
    }
    let groups: Set<string> | undefined;
    if (options.groups.length > 0) {
      groups = new Set();
      for (const g of options.groups) {
        if (historyGroups.has(canonical(g.trim()))) {
          groups.add(canonical(g.trim()));
          continue;
        }
        const named = (await (await seam.get(`--group ${g}`)).listAccessGroups()).filter(
          (r) => r.name.trim().toLowerCase() === g.trim().toLowerCase() || canonical(r.acsAccessGroupId) === canonical(g.trim()),
        );
        if (named.length === 0) throw new AccessInputError(`No access group in these stacks' history has the id "${g}", and none at Seam has that name or id.`);
        named.forEach((r) => groups!.add(canonical(r.acsAccessGroupId)));
      }
      question.groups = [...groups];
    }
    let doors: Map<string, GroupEntrances> | undefined;
    const readDoors = async (why: string) => (doors ??= await readGroupEntrances(await seam.get(why), historyGroups));
    if (options.entrances.length > 0) {
      const opening = new Set<string>();
      const asked = [];
      for (const pattern of options.entrances) {
        const client = await seam.get(`--entrance ${pattern}`);
        const entrances = await findEntrances(client, pattern);
        const through = groupsOpening(await readDoors(`--entrance ${pattern}`), entrances);
        through.forEach((g) => opening.add(g));
        asked.push({ query: pattern, entrances, groups: [...through].sort() });
      }
      question.entrances = asked;
      groups = groups ? new Set([...groups].filter((g) => opening.has(g))) : opening;
    }
    if (options.since) question.since = options.since.text;
    if (options.until) question.until = options.until.text;
    const intervals = selectIntervals(all, {
      ...(users ? { users } : {}),
      ...(groups ? { groups } : {}),
      ...(options.since ? { since: options.since.ms } : {}),
      ...(options.until ? { until: options.until.ms } : {}),
    });
    const stacks = histories.map((h) => ({
      stack: h.stack,
      source: h.source,
      updates: h.steps.length,
      first: h.steps[0]?.update.time ?? null,
      last: h.steps.at(-1)?.update.time ?? null,
    }));
    if (options.at) {
      question.at = options.at.text;
      const holders = holdersAt(intervals, options.at.ms);
      if (options.doors && holders.length > 0) {
        const groupDoors = await readDoors("the doors of --at");
        const unsureGroups = [...new Set(holders.map((h) => canonical(h.acsAccessGroupId)))]
          .sort()
          .flatMap((g) => {
            const d = groupDoors.get(g);
            return typeof d === "string" ? [{ acsAccessGroupId: g, reason: d }] : [];
          });
        // With --entrance, the doors asked about; otherwise every door the holders' groups open.
        const asked = question.entrances ? new Set(question.entrances.flatMap((e) => e.entrances.map((x) => canonical(x.acsEntranceId)))) : undefined;
        const doors = byDoor(holders, groupDoors).filter((d) => !asked || asked.has(canonical(d.entrance.acsEntranceId)));
        report = { stacks, question, intervals, holders, doors, unsureGroups };
      } else report = { stacks, question, intervals, holders, ...(options.doors ? { doors: [], unsureGroups: [] } : {}) };
    } else report = { stacks, question, intervals };
  } finally {
    // undici keeps idle sockets open, which would hold the process for its keep-alive timeout.
    await seam.close();
  }
  await write(process.stdout, formats[options.format](report));
  for (const p of report.question.people ?? []) {
    if (!report.intervals.some((i) => p.acsUserIds.includes(canonical(i.acsUserId)))) {
      process.stderr.write(`pulumi-seam-acs history: no interval of these stacks concerns ${p.query}${options.since || options.until ? " in that period" : ""}.\n`);
    }
  }
  return 0;
}

/** Runs `history` with the arguments after the command name; returns the exit code. */
export function runHistory(argv: string[]): Promise<number> {
  // A Seam read that failed says what and why in its message (never a token): an answer, not a crash.
  return runCommand("history", historyUsage, parseOptions(argv), history, (e) => e instanceof AuditInputError || e instanceof AccessInputError || e instanceof SeamApiError);
}
