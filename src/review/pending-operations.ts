/**
 * Operations an interrupted run left unfinished, read from the stack's state (`pulumi stack
 * export`): `deployment.pending_operations`, each `{ type, resource: { urn, type, id?, inputs,
 * outputs? } }`, `type` one of `creating`, `updating`, `deleting`, `reading`, `importing`.
 *
 * Measured (CLI v3.274.1): after an `up` is killed (SIGKILL) while a membership's create is in
 * flight, the checkpoint holds a `creating` operation with the resource's inputs, and the next
 * `pulumi preview --json` shows nothing of it (no step beyond the create the program still
 * wants, no diagnostic). The add may have reached Seam: nothing in state tracks it.
 */
import { z } from "zod";
import type { MembershipIds } from "../seam/client";
import { validateInputs } from "../provider/inputs";
import { idsFromState } from "../provider/membership-provider";
import { seamResourceKind } from "../provider/resource-types";
import { ReviewInputError } from "./preview-file";

export interface PendingOperation {
  /** The engine's operation type: `creating`, `deleting`, … */
  readonly type: string;
  readonly urn: string;
  /** The membership's pair, from its inputs (or outputs); null when unreadable. */
  readonly ids: MembershipIds | null;
}

const exported = z.looseObject({
  deployment: z.looseObject({
    pending_operations: z
      .array(
        z.looseObject({
          type: z.string(),
          resource: z.looseObject({
            urn: z.string(),
            type: z.string().optional(),
            custom: z.boolean().optional(),
            id: z.string().optional(),
            inputs: z.record(z.string(), z.unknown()).optional(),
            outputs: z.record(z.string(), z.unknown()).optional(),
          }),
        }),
      )
      .nullish(),
  }),
});

/** The membership operations left pending in a `pulumi stack export` document; throws ReviewInputError on other input. */
export function readPendingOperations(text: string, source: string): PendingOperation[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ReviewInputError(`${source} is not JSON: pass the output of \`pulumi stack export\` with --state.`);
  }
  const parsed = exported.safeParse(json);
  if (!parsed.success) throw new ReviewInputError(`${source} is not a \`pulumi stack export\` document (no deployment). Pass the output of \`pulumi stack export\` with --state.`);
  return (parsed.data.deployment.pending_operations ?? [])
    .filter((op) => seamResourceKind(op.resource) === "membership")
    .map((op) => ({ type: op.type, urn: op.resource.urn, ids: pairOf(op.resource) }))
    .sort((a, b) => a.urn.localeCompare(b.urn));
}

function pairOf(r: { id?: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> }): MembershipIds | null {
  const checked = validateInputs(r.inputs ?? {});
  if (checked.ok && checked.known) return checked.ids;
  try {
    return idsFromState(r.id ?? "", r.outputs ?? {});
  } catch {
    return null;
  }
}

/** What an operator runs after an interrupted run; the review's note and docs/review.md say the same. */
export const reconcileAdvice =
  "An interrupted run left operations unfinished; an add or remove may have reached Seam with nothing in state to show it. " +
  "Reconcile: run `pulumi refresh --clear-pending-creates --yes` (it drops the pending operations), then `pulumi up`: " +
  "a membership the program still declares is added again (an add of a member is harmless) and tracked. " +
  "A pending create the program no longer declares: declare it again and run `pulumi up`, then drop it and run `pulumi up`, so its remove is sent.";
