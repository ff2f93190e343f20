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
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, { error: "may contain only letters, digits and the characters _ . : -" });

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
