/**
 * Reads `pulumi stack export` output (a stack's checkpoint, `apitype.UntypedDeployment`):
 * `{ version, deployment: { manifest, resources: [{ urn, type, id?, custom?, inputs?, outputs?, delete?, ... }], pending_operations? } }`.
 * Keeps what an audit needs: the stack's name and its resources. The stack is named
 * `<project>/<stack>` from its URNs (`urn:pulumi:<stack>::<project>::…`), as the review names it.
 */
import { z } from "zod";

/** The input is not a usable stack export; the message says what to run instead. */
export class AuditInputError extends Error {
  override readonly name = "AuditInputError";
}

const resource = z.looseObject({
  urn: z.string().min(1),
  type: z.string().min(1),
  id: z.string().optional(),
  custom: z.boolean().optional(),
  outputs: z.record(z.string(), z.unknown()).optional(),
});
const exported = z.looseObject({
  version: z.number(),
  deployment: z.looseObject({ resources: z.array(resource).nullish() }),
});

export interface StateResource {
  readonly urn: string;
  readonly type: string;
  /** False for a component resource (Pulumi's ResourceV3 `custom`). */
  readonly custom?: boolean;
  readonly id?: string;
  readonly outputs: Record<string, unknown>;
}

export interface StackState {
  /** `<project>/<stack>`, or the source's name when the state holds no resources. */
  readonly stack: string;
  readonly source: string;
  readonly resources: readonly StateResource[];
}

const howToMakeOne = "Pass the output of `pulumi stack export --stack NAME > FILE` with --state FILE, or --stack NAME.";

export function readStackState(text: string, source: string): StackState {
  if (text.trim() === "") throw new AuditInputError(`${source} is empty: there is no state to audit. ${howToMakeOne}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new AuditInputError(`${source} is not JSON. ${howToMakeOne}`);
  }
  if (typeof json === "object" && json !== null && "steps" in json && !("deployment" in json)) {
    throw new AuditInputError(`${source} looks like \`pulumi preview --json\` output, not a stack's state. ${howToMakeOne}`);
  }
  const parsed = exported.safeParse(json);
  if (!parsed.success) {
    const where = z.prettifyError(parsed.error).split("\n").slice(0, 2).join(" ");
    throw new AuditInputError(`${source} is JSON but not a \`pulumi stack export\` document (${where}). ${howToMakeOne}`);
  }
  const resources = (parsed.data.deployment.resources ?? []).map((r) => ({
    urn: r.urn,
    type: r.type,
    ...(r.custom !== undefined ? { custom: r.custom } : {}),
    ...(r.id !== undefined ? { id: r.id } : {}),
    outputs: r.outputs ?? {},
  }));
  return { stack: stackOf(resources[0]?.urn) ?? source, source, resources };
}

function stackOf(urn: string | undefined): string | undefined {
  const [head, project] = urn ? urn.split("::") : [];
  const stack = head?.startsWith("urn:pulumi:") ? head.slice("urn:pulumi:".length) : undefined;
  return stack && project ? `${project}/${stack}` : undefined;
}
