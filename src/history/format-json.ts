/**
 * The history as JSON, the contract: `{ stacks[], question, intervals[] }`, each interval
 * `{ acsUserId, acsAccessGroupId, stack, from, to }` (`to` null while held), an update
 * `{ version, time, endTime, kind, result, message, commit, author, committer, repository, ci }`
 * (`ci`: `{ system, run, type, pullRequest }` or null); with --at also `at`, `holders[]`
 * (`{ acsUserId, acsAccessGroupId, stack, grantedBy }`), and when doors were read `doors[]`
 * (`{ entrance: { acsEntranceId, name, acsSystemId }, holders[] }`), `unsureGroups[]`, `doorsNote`.
 */
import { doorsAsOfNow, type HistoryReport } from "./report";

export function formatHistoryJson(report: HistoryReport): string {
  const { question } = report;
  return `${JSON.stringify(
    {
      stacks: report.stacks,
      question,
      intervals: report.intervals,
      ...(question.at !== undefined ? { at: question.at, holders: report.holders ?? [] } : {}),
      ...(report.doors ? { doors: report.doors, unsureGroups: report.unsureGroups ?? [] } : {}),
      ...(report.doors || question.entrances ? { doorsNote: doorsAsOfNow } : {}),
    },
    null,
    2,
  )}\n`;
}
