import { z } from "zod";
import type { MembershipIds } from "../seam/client";

/** Pulumi's stand-in for a value that is not known yet during preview (`runtime/rpc.ts`). */
export const unknownValue = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export const maxIdLength = 128;

const inputNames = ["acsUserId", "acsAccessGroupId"] as const;

const seamId = z
  .string({ error: (issue) => (issue.input === undefined ? "is required" : `must be a string, not ${describe(issue.input)}`) })
  .min(1, { error: "must not be empty" })
  .max(maxIdLength, { error: `must be at most ${maxIdLength} characters long` })
  .refine((s) => s.trim() === s, { error: "has leading or trailing whitespace" })
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, { error: "may contain only letters, digits and the characters _ . : -" })
  .superRefine((s, ctx) => {
    const problem = uuidShapeProblem(s);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

/**
 * Seam's ids are UUIDs (8-4-4-4-12 hexadecimal digits). An id that is meant as one but mistyped
 * (a character short, a group too long, a letter beyond f) would pass as an id of another kind
 * (Seam's fake names things `acs_user1`) and fail only at `up`, with a 404. So an id shaped like
 * a UUID (letters, digits and hyphens only, two hyphens or more, 30 to 40 characters) must be one.
 * Returns why not, or undefined.
 */
export function uuidShapeProblem(id: string): string | undefined {
  if (!/^[A-Za-z0-9]+(-[A-Za-z0-9]+){2,}$/.test(id) || id.length < 30 || id.length > 40 || uuidShape.test(id)) return undefined;
  const groups = id.split("-").map((g) => g.length).join("-");
  const notHex = [...new Set(id.replace(/[0-9a-fA-F-]/g, ""))];
  const what = [
    ...(groups !== "8-4-4-4-12" ? [`its groups have ${groups} characters`] : []),
    ...(notHex.length > 0 ? [`${notHex.map((c) => `"${c}"`).join(", ")} ${notHex.length === 1 ? "is not a hexadecimal digit" : "are not hexadecimal digits"}`] : []),
  ];
  return `looks like a UUID but is not one: ${what.join(", and ")} (a Seam id has 8-4-4-4-12 hexadecimal digits, e.g. 123e4567-e89b-12d3-a456-426614174000)`;
}

const membershipInputs = z.strictObject({ acsUserId: seamId, acsAccessGroupId: seamId });

export interface CheckFailure {
  readonly property: string;
  readonly reason: string;
}

export type ValidatedInputs =
  | { readonly ok: true; readonly ids: MembershipIds; readonly known: boolean }
  | { readonly ok: false; readonly failures: CheckFailure[] };

/**
 * Validates what a program passed to AccessGroupMembership. Values still unknown at preview
 * (outputs of other resources) pass as they are; they are checked again once known.
 */
export function validateInputs(news: Record<string, unknown>): ValidatedInputs {
  const { __provider: _provider, ...args } = news;
  const probe: Record<string, unknown> = { ...args };
  let known = true;
  for (const name of inputNames) {
    if (probe[name] === unknownValue) {
      probe[name] = "unknown";
      known = false;
    }
  }
  const parsed = membershipInputs.safeParse(probe);
  if (!parsed.success) {
    const failures = parsed.error.issues.flatMap((issue): CheckFailure[] =>
      issue.code === "unrecognized_keys"
        ? issue.keys.map((key) => ({
            property: key,
            reason: `${key} is not an argument of AccessGroupMembership (it takes acsUserId and acsAccessGroupId)`,
          }))
        : [{ property: String(issue.path[0]), reason: `${String(issue.path[0])} ${issue.message}` }],
    );
    return { ok: false, failures };
  }
  return {
    ok: true,
    known,
    ids: { acsUserId: canonical(args.acsUserId as string), acsAccessGroupId: canonical(args.acsAccessGroupId as string) },
  };
}

/** Why `value` cannot be a Seam id (by the rules check applies), or undefined when it can. */
export function seamIdProblem(value: unknown): string | undefined {
  const parsed = seamId.safeParse(value);
  return parsed.success ? undefined : parsed.error.issues[0]?.message;
}

const uuidShape = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Seam's ids are UUIDs, written lower-case. The same UUID in capitals must not look like another
 * membership: a diff would replace it, and the old pair's delete would revoke the new one.
 */
export function canonical(id: string): string {
  return id === unknownValue || !uuidShape.test(id) ? id : id.toLowerCase();
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}
