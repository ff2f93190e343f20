/**
 * The engine flags a preview was made with, as far as they change which resources the provider
 * sees. The preview's JSON does not record them (measured, CLI v3.274.1): a resource left out of
 * `--target` is a `same` step with its old inputs, indistinguishable from an unchanged resource
 * the provider did check. So the review takes the same flags the preview took.
 *
 * Which resources the provider's `check` sees, and so which count as declaring their pair:
 *  - no targets: every resource the program registers;
 *  - `--target URN…`: the targeted resources (and, with `--target-dependents`, every resource that
 *    depends on one: parent, dependencies, property dependencies, deletedWith);
 *  - `pulumi destroy` (any flags): none — the program does not run.
 */
export interface EngineFlags {
  /** `--target` values as pulumi takes them: URNs, where `*` matches any run of characters. */
  readonly targets?: readonly string[];
  readonly targetDependents?: boolean;
  /** The preview is of `pulumi destroy` (`destroy --preview-only --json`): nothing is checked. */
  readonly destroy?: boolean;
}

export const noFlags: EngineFlags = {};

/**
 * The URNs the provider checks under `flags`, out of `urns`; undefined when it checks every one.
 * `dependsOn` maps a URN to the URNs it depends on (from the preview), for `--target-dependents`.
 */
export function checkedUrns(flags: EngineFlags, urns: Iterable<string>, dependsOn: ReadonlyMap<string, readonly string[]> = new Map()): Set<string> | undefined {
  if (flags.destroy) return new Set();
  if (!flags.targets || flags.targets.length === 0) return undefined;
  const patterns = flags.targets.map(globToRegExp);
  const all = [...urns];
  const checked = new Set(all.filter((urn) => patterns.some((p) => p.test(urn))));
  if (flags.targetDependents) {
    // A dependent of a targeted resource is targeted too, transitively.
    let grew = true;
    while (grew) {
      grew = false;
      for (const urn of all) {
        if (checked.has(urn)) continue;
        if ((dependsOn.get(urn) ?? []).some((d) => checked.has(d))) {
          checked.add(urn);
          grew = true;
        }
      }
    }
  }
  return checked;
}

function globToRegExp(target: string): RegExp {
  return new RegExp(`^${target.split("*").map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
}
