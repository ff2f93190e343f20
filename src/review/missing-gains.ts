/**
 * A gain whose user or access group Seam does not have: `pulumi up` would fail on it with a 404,
 * so a pull request whose review shows one must not go green. Pure: reads the report only.
 */
import type { Report } from "./report";

/** Exit code of `review` when a gain names a user or group that does not exist. */
export const missingGainExitCode = 4;

/**
 * One line for stderr naming each gain whose user or group Seam says does not exist (by id and
 * resource), or undefined when there is none. Only names that were read can say so: with
 * `--no-names` or failed lookups nothing is known either way.
 */
export function missingGainsProblem(report: Report): string | undefined {
  const missing = report.additions.flatMap((a) => [
    ...(a.user.kind === "missing" ? [`no ACS user ${a.acsUserId}`] : []),
    ...(a.group.kind === "missing" ? [`no access group ${a.acsAccessGroupId}`] : []),
  ].map((what) => `${what} (${a.after.join(", ") || a.resources.join(", ")})`));
  if (missing.length === 0) return undefined;
  return (
    `pulumi-seam-acs review: ${missing.length === 1 ? "a gain names" : `${missing.length} gains name`} what Seam does not have, so \`pulumi up\` would fail: ` +
    `${[...new Set(missing)].join("; ")}. Check the ids in the program (exit ${missingGainExitCode}).`
  );
}
