/**
 * Whether the stack config `pulumi:autonaming` makes the engine replace this resource
 * delete-first. The engine does so for every custom resource, dynamic ones included, when the
 * name it would give is not random (pulumi/pulumi#16188; measured here with the CLI of 3.274.1:
 * `mode: verbatim` and `mode: disabled` both ran delete then create).
 *
 * The dynamic-provider host passes the whole stack config to `configure` (measured: the key
 * `pulumi:autonaming` arrives as its JSON text), so `diff` can refuse such a replacement at
 * preview, before anything changes.
 *
 * Shape (Pulumi's docs, "Autonaming configuration"): `{ mode?, pattern?, enforce?, providers?:
 * { <package>: { mode?, pattern?, resources?: { <type token>: { mode?, pattern? } } } } }`. The
 * most specific entry wins: the resource type under `pulumi-nodejs`, then `pulumi-nodejs`, then
 * the top level. A pattern is random when it holds one of the random expressions
 * (`${hex(n)}`, `${alphanum(n)}`, `${string(n)}`, `${num(n)}`, `${uuid}`).
 */
const providerPackage = "pulumi-nodejs";
const randomExpression = /\$\{(?:(?:hex|alphanum|string|num)\(\d+\)|uuid)\}/;

interface Naming {
  readonly mode?: unknown;
  readonly pattern?: unknown;
}

/**
 * Returns why replacements of resources of type `typeToken` run delete-first under `raw` (the
 * config value as the host hands it over: JSON text), or undefined when they do not. Text that is
 * not a JSON object is taken to make them delete-first: the engine may read it some way this does
 * not, and refusing a replacement is safe where guessing is not.
 */
export function deleteFirstByAutonaming(raw: string | undefined, typeToken: string): string | undefined {
  if (raw === undefined || raw === "") return undefined;
  let config: unknown;
  try {
    config = JSON.parse(raw);
  } catch {
    config = raw;
  }
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    return `the stack config pulumi:autonaming (${JSON.stringify(raw)}) is not an object this version can read`;
  }
  const top = config as Naming & { providers?: Record<string, (Naming & { resources?: Record<string, Naming> }) | undefined> };
  const forPackage = top.providers?.[providerPackage];
  const forType = forPackage?.resources?.[typeToken];
  const [where, naming] = forType && hasNaming(forType)
    ? [`providers.${providerPackage}.resources["${typeToken}"]`, forType]
    : forPackage && hasNaming(forPackage)
      ? [`providers.${providerPackage}`, forPackage]
      : ["", top];
  const at = `pulumi:autonaming${where ? ` (${where})` : ""}`;
  if (naming.mode === "verbatim" || naming.mode === "disabled") return `${at} has mode ${naming.mode}`;
  if (typeof naming.pattern === "string" && !randomExpression.test(naming.pattern)) {
    return `${at} has the pattern ${JSON.stringify(naming.pattern)}, which has no random part`;
  }
  return undefined;
}

function hasNaming(n: Naming): boolean {
  return n.mode !== undefined || n.pattern !== undefined;
}
