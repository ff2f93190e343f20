/**
 * Errors the program process raises for the user to fix (no token, an unknown email, a roster
 * file's mistakes, a plaintext token): Pulumi prints them once, as the message alone.
 *
 * The SDK prints a RunError's message without a stack (`cmd/run/run.js`), and reports one error
 * object once however many promises it rejects. But when the error rejects a resource input, the
 * SDK first rewrites its message to `error serializing property "acsUserId": …`
 * (`runtime/rpc.js`, by assigning `err.message` and rethrowing the same object); these messages
 * already name the resource and field, so that assignment is ignored.
 */
import * as pulumi from "@pulumi/pulumi";

/** A pulumi.RunError whose message stays as written. */
export function programError(message: string): pulumi.RunError {
  const error = new pulumi.RunError(message);
  Object.defineProperty(error, "message", { get: () => message, set: () => undefined, enumerable: false, configurable: true });
  error.stack = `${error.name}: ${message}`;
  return error;
}

/** `error` as a programError (its message kept), unless it already is a RunError. */
export function asProgramError(error: unknown): pulumi.RunError {
  if (pulumi.RunError.isInstance(error)) return error as pulumi.RunError;
  return programError(error instanceof Error ? error.message : String(error));
}
