/**
 * Reads the engine's `pulumi preview --json` document and keeps what a review needs: the steps
 * of AccessGroupMembership and AccessGroupRoster resources, and how many unchanged resources the preview left out.
 *
 * Shape (CLI v3.274.1, `display.PreviewDigest`): `{ steps, diagnostics, changeSummary, ... }`;
 * a step is `{ op, urn, oldState?, newState? }` with states carrying `id`, `type`, `inputs`,
 * `outputs`. Without `--show-sames` the engine leaves `same` steps out but still counts them in
 * `changeSummary.same`; a failed preview still prints a document, with `error` diagnostics.
 *
 * What the engine options leave in the document (measured with CLI v3.274.1):
 *  - `--target`: a resource left out of the targets is a `same` step carrying its OLD inputs
 *    (the provider never checked it); a create left out is a `same` step whose states carry no
 *    `id`, `inputs` or `outputs` at all (it will not run). Nothing else says which URNs were targeted.
 *  - `retainOnDelete`: the delete step's `oldState.retainOnDelete` is `true`.
 *  - `deletedWith`: the delete step's `oldState.deletedWith` is the URN of the resource it goes
 *    with; when that resource is deleted in the same run, the engine skips this one's delete.
 *  - delete-first replacement (`deleteBeforeReplace`, or stack config `pulumi:autonaming` mode
 *    `verbatim`): the `replace` step's `oldState.pendingReplacement` is `true`, and with
 *    `--show-replacement-steps` its `delete-replaced` step comes before `create-replacement`.
 *  - pending operations of an interrupted run appear nowhere in it (no step, no diagnostic):
 *    only the state (`pulumi stack export`, `deployment.pending_operations`) holds them.
 */
import { z } from "zod";
import { dynamicMembershipType, dynamicRosterType, seamResourceKind, sharedProperties } from "../provider/resource-types";

export const membershipType = dynamicMembershipType;
/** One resource holding a group's member set; its steps are expanded per member (roster-steps.ts). */
export const rosterType = dynamicRosterType;

/** The input is not a usable preview; the message says what to run instead. */
export class ReviewInputError extends Error {
  override readonly name = "ReviewInputError";
}

const properties = z.record(z.string(), z.unknown());
const resourceState = z.looseObject({
  id: z.string().optional(),
  type: z.string().optional(),
  custom: z.boolean().optional(),
  inputs: properties.optional(),
  outputs: properties.optional(),
  parent: z.string().optional(),
  dependencies: z.array(z.string()).optional(),
  propertyDependencies: z.record(z.string(), z.array(z.string()).nullable()).optional(),
  retainOnDelete: z.boolean().optional(),
  deletedWith: z.string().optional(),
  pendingReplacement: z.boolean().optional(),
});
const previewStep = z.looseObject({
  op: z.string().min(1),
  urn: z.string().min(1),
  oldState: resourceState.optional(),
  newState: resourceState.optional(),
});
const diagnostic = z.looseObject({ message: z.string().optional(), severity: z.string().optional() });
const previewDigest = z.looseObject({
  steps: z.array(previewStep).optional(),
  diagnostics: z.array(diagnostic).optional(),
  changeSummary: z.record(z.string(), z.number()).optional(),
});

export interface MembershipStep {
  readonly op: string;
  readonly urn: string;
  /** The resource's name: the last part of its URN. */
  readonly name: string;
  /** What the state holds before the deployment (absent for creates). */
  readonly old?: {
    readonly id?: string;
    readonly outputs: Record<string, unknown>;
    /** The engine drops the resource from state without calling the provider's `delete`. */
    readonly retainOnDelete?: boolean;
    /** URN of the resource whose deletion makes the engine skip this one's `delete`. */
    readonly deletedWith?: string;
    /** The replacement deletes this resource before creating its successor (delete-first). */
    readonly pendingReplacement?: boolean;
  };
  /** What the program declares now, as `check` returned it (absent for deletes). */
  readonly new?: { readonly inputs: Record<string, unknown> };
  /** A create the engine will not run (`--target` left it out): a `same` step with no state. */
  readonly skippedCreate?: boolean;
  /** For one member of an AccessGroupRoster step (roster-steps.ts): the roster's URN. */
  readonly rosterUrn?: string;
}

export interface Preview {
  /** `<project>/<stack>`, from the URNs; undefined when the preview has no steps. */
  readonly stack?: string;
  readonly steps: readonly MembershipStep[];
  /** Unchanged resources (of any type) the engine counted but did not list: run with `--show-sames` to list them. */
  readonly hiddenUnchanged: number;
  /** Every step's resource (any type) → the URNs it depends on (parent, dependencies, deletedWith). */
  readonly dependsOn?: ReadonlyMap<string, readonly string[]>;
  /** URNs (any type) whose old resource leaves the state in this run: delete, delete-replaced, replace. */
  readonly deleted?: ReadonlySet<string>;
}

const howToMakeOne = "Pass the output of `pulumi preview --json --show-sames` (on stdin, or with --preview FILE).";

export function readPreview(text: string, source: string): Preview {
  if (text.trim() === "") {
    throw new ReviewInputError(`${source} is empty: there is no preview to review. ${howToMakeOne} If pulumi preview failed, fix that first.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    const hint = /^\s*(Previewing|Preview)\b/.test(text) ? " It looks like pulumi preview's text output: add --json." : "";
    throw new ReviewInputError(`${source} is not JSON.${hint} ${howToMakeOne}`);
  }
  if (typeof json === "object" && json !== null && !Array.isArray(json) && "deployment" in json) {
    throw new ReviewInputError(`${source} looks like \`pulumi stack export\` output (a stack's state), not a preview. ${howToMakeOne}`);
  }
  const parsed = previewDigest.safeParse(json);
  if (!parsed.success || (!parsed.data.steps && !parsed.data.diagnostics && !parsed.data.changeSummary)) {
    const where = parsed.success ? "it has no steps, diagnostics or changeSummary" : z.prettifyError(parsed.error).split("\n").slice(0, 2).join(" ");
    throw new ReviewInputError(`${source} is JSON but not a \`pulumi preview --json\` document (${where}). ${howToMakeOne}`);
  }
  const digest = parsed.data;
  const errors = (digest.diagnostics ?? []).filter((d) => d.severity === "error");
  if (errors.length > 0) {
    const shown = errors.slice(0, 5).map((d) => `  ${firstLine(d.message ?? "(no message)")}`);
    if (errors.length > shown.length) shown.push(`  … and ${errors.length - shown.length} more`);
    throw new ReviewInputError(
      `The preview failed (the engine reported ${errors.length} error${errors.length === 1 ? "" : "s"}), so it says nothing reliable about access. ` +
        `Fix these and preview again:\n${shown.join("\n")}`,
    );
  }
  if (!digest.steps) {
    throw new ReviewInputError(`${source} has no steps: even a preview without changes lists the stack itself. ${howToMakeOne}`);
  }
  if (!digest.changeSummary) {
    // The engine writes the summary when the preview ends; a cancelled one prints the steps so far.
    throw new ReviewInputError(`${source} has no changeSummary: the preview did not finish, so its steps may be incomplete. Run the preview again.`);
  }
  const shownSame = digest.steps.filter((s) => s.op === "same").length;
  const dependsOn = new Map<string, string[]>();
  const deleted = new Set<string>();
  for (const s of digest.steps) {
    const urns = new Set(dependsOn.get(s.urn));
    for (const state of [s.oldState, s.newState]) {
      if (!state) continue;
      if (state.parent) urns.add(state.parent);
      for (const d of state.dependencies ?? []) urns.add(d);
      for (const ds of Object.values(state.propertyDependencies ?? {})) for (const d of ds ?? []) urns.add(d);
      if (state.deletedWith) urns.add(state.deletedWith);
    }
    dependsOn.set(s.urn, [...urns]);
    if (s.op === "delete" || s.op === "delete-replaced" || s.op === "replace") deleted.add(s.urn);
  }
  return {
    stack: stackOf(digest.steps[0]?.urn),
    // Dynamic and native types alike (provider/resource-types.ts): a native roster's properties are read in the shared shape.
    steps: digest.steps.filter((s) => seamResourceKind({ type: typeOf(s), custom: s.newState?.custom ?? s.oldState?.custom }) !== undefined).map(toMembershipStep),
    hiddenUnchanged: Math.max(0, (digest.changeSummary.same ?? 0) - shownSame),
    dependsOn,
    deleted,
  };
}

type Step = z.infer<typeof previewStep>;

function toMembershipStep(s: Step): MembershipStep {
  const type = typeOf(s);
  const o = s.oldState && { ...s.oldState, outputs: sharedProperties(type, s.oldState.outputs) };
  const newInputs = sharedProperties(type, s.newState?.inputs);
  // Measured: a create left out by --target is a `same` step whose states hold no id and no properties.
  if (s.op === "same" && !o?.id && !o?.inputs && !o?.outputs && !newInputs) {
    return { op: s.op, urn: s.urn, name: nameOf(s.urn), skippedCreate: true };
  }
  return {
    op: s.op,
    urn: s.urn,
    name: nameOf(s.urn),
    ...(o
      ? {
          old: {
            id: o.id,
            outputs: o.outputs ?? {},
            ...(o.retainOnDelete ? { retainOnDelete: true } : {}),
            ...(o.deletedWith ? { deletedWith: o.deletedWith } : {}),
            ...(o.pendingReplacement ? { pendingReplacement: true } : {}),
          },
        }
      : {}),
    ...(s.newState ? { new: { inputs: newInputs ?? {} } } : {}),
  };
}

/** `urn:pulumi:<stack>::<project>::<qualified type>::<name>`; a parented type reads `parent$type`. */
function urnParts(urn: string): string[] {
  return urn.split("::");
}

function typeOf(s: Step): string | undefined {
  return s.newState?.type ?? s.oldState?.type ?? urnParts(s.urn)[2]?.split("$").at(-1);
}

export function nameOf(urn: string): string {
  return urnParts(urn).slice(3).join("::") || urn;
}

function stackOf(urn: string | undefined): string | undefined {
  const [head, project] = urn ? urnParts(urn) : [];
  const stack = head?.startsWith("urn:pulumi:") ? head.slice("urn:pulumi:".length) : undefined;
  return stack && project ? `${project}/${stack}` : undefined;
}

function firstLine(message: string): string {
  // Engine messages may carry terminal colours; a review is read in logs and PR comments.
  return message.replace(/\u001b\[[0-9;]*m/g, "").trim().split("\n")[0]!;
}
