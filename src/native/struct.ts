/**
 * Property values as they cross the provider protocol: a `google.protobuf.Struct` on the wire, a
 * plain object here. Pulumi marks two special values inside a Struct (sdk/go/common/resource/plugin/rpc.go):
 * an unknown value (preview only) is the string `unknownValue`, and a secret is an object whose
 * `secretSig` key holds `secretSigValue` and whose `value` holds the plain value.
 */
import type * as structTypes from "google-protobuf/google/protobuf/struct_pb";
import { structproto } from "./pulumi-modules";
import { unknownValue } from "../provider/inputs";

export type Props = Record<string, unknown>;

const secretSig = "4dabf18193072939515e22adb298388d";
const secretSigValue = "1b47061264138c4ac30d75fd1eb44270";

export { unknownValue };

/** The object a Struct holds (an absent Struct is `{}`). */
export function fromStruct(struct: structTypes.Struct | undefined): Props {
  return (struct?.toJavaScript() ?? {}) as Props;
}

/** A Struct for `props`; keys whose value is undefined are left out (a Struct cannot hold them). */
export function toStruct(props: Props): structTypes.Struct {
  return structproto.Struct.fromJavaScript(dropUndefined(props) as Record<string, structTypes.JavaScriptValue>);
}

/** Whether `value` is Pulumi's secret envelope. */
export function isSecret(value: unknown): value is { value: unknown } {
  return typeof value === "object" && value !== null && (value as Props)[secretSig] === secretSigValue;
}

/** The plain value inside a secret envelope, or the value itself. */
export function reveal(value: unknown): unknown {
  return isSecret(value) ? value.value : value;
}

function dropUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropUndefined);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, dropUndefined(v)]));
}
