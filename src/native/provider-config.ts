/**
 * What a `seam` provider instance is configured with, from the engine's `Configure` call.
 *
 * The default provider's inputs are the stack config of the `seam` namespace (keys without the
 * prefix, `apiKey`, …; pulumi/pulumi pkg/resource/deploy/target.go GetPackageConfig), each value a
 * string, a value set with `--secret` wrapped as a secret. An explicit `pulumi:providers:seam`
 * instance's inputs are its arguments, typed as the schema says. Either way they reach the one
 * settings parser (src/seam/settings.ts) as a ConfigSource with `seam:`-prefixed keys, and the
 * environment's SEAM_* variables apply as they do for the dynamic provider.
 */
import { tokenConfigKeys, plaintextTokenProblem } from "../program/plaintext-token-problem";
import type { ConfigSource } from "../seam/settings";
import { isSecret, Props, reveal } from "./struct";

/** Which provider instance: from the Configure request's URN (`…::pulumi:providers:seam::<name>`). */
export interface ProviderIdentity {
  readonly urn: string;
  /** `the default seam provider` or `provider "site-b"`: how errors name it. */
  readonly label: string;
  readonly isDefault: boolean;
}

export function providerIdentity(urn: string | undefined, name: string | undefined): ProviderIdentity {
  const last = name || (urn ? urn.slice(urn.lastIndexOf("::") + 2) : "");
  const isDefault = last === "" || last === "default" || last.startsWith("default_");
  return { urn: urn ?? "", label: isDefault ? "the default seam provider" : `provider "${last}"`, isDefault };
}

/**
 * A ConfigSource over the Configure request's `args`. Values are revealed (the engine sends
 * secrets decrypted inside their envelope); non-string values (numbers, booleans from a typed
 * SDK) are read as the text the stack config would hold. `version` is the engine's, not a setting.
 */
export function configFromArgs(args: Props, provider?: ProviderIdentity): ConfigSource {
  const values = new Map<string, string>();
  for (const [key, raw] of Object.entries(args)) {
    if (key === "version") continue;
    const value = reveal(raw);
    if (value === undefined || value === null) continue;
    values.set(`seam:${key}`, typeof value === "string" ? value : JSON.stringify(value));
  }
  // The default provider's arguments are the stack config's `seam:` keys; an explicit one's are its own.
  return { get: (key) => values.get(key), ...(provider && !provider.isDefault ? { provider: provider.label } : {}) };
}

/**
 * Why the provider refuses its configuration because a token is given in plain text, or
 * undefined. A plain token in the stack config sits unencrypted in Pulumi.<stack>.yaml; one in an
 * explicit provider's arguments sits in the program and, unencrypted, in the state (the engine
 * stores provider inputs). Never repeats the value.
 *
 * `plainInFiles` (`ns:key` → value, from stack-config-file.ts) is what the project's config files
 * hold in clear text: for the default provider a token equal to one there is plain text even when
 * the engine sends it marked secret. The verdict is the program's one rule (plaintextTokenProblem).
 */
export function plaintextTokenRefusal(args: Props, provider: ProviderIdentity, plainInFiles: ReadonlyMap<string, string> = new Map()): string | undefined {
  const key = (configKey: string) => configKey.slice("seam:".length);
  const get = (configKey: string) => {
    const v = reveal(args[key(configKey)]);
    return typeof v === "string" ? v : v === undefined || v === null ? undefined : JSON.stringify(v);
  };
  const secret = (configKey: string) => isSecret(args[key(configKey)]);
  if (provider.isDefault) return plaintextTokenProblem(get, (k) => secret(k) && plainInFiles.get(k) !== get(k));
  const plain = tokenConfigKeys.filter((k) => (get(k) ?? "") !== "" && !secret(k)).map(key);
  if (plain.length === 0) return undefined;
  return (
    `${provider.label}: ${plain.join(" and ")} ${plain.length === 1 ? "is" : "are"} given in plain text, so ${plain.length === 1 ? "it" : "they"} ` +
    "would sit unencrypted in the program and in the state. Pass a secret instead: store the token with " +
    "`pulumi config set --secret <key> <token>` and reference that config value (it stays a secret), or wrap it as a secret. " +
    "Nothing was sent to Seam."
  );
}
