/**
 * A failed provider call as the engine reads it. A step that changed Seam and then failed (some
 * roster adds failed, a `waitForSync` timed out, an add whose answer was lost) carries the
 * resource's id and properties: sent as `ErrorResourceInitFailed` in the status details, the
 * engine records them in the state with the error, so the access stays tracked — the same
 * message the dynamic-provider host builds (`@pulumi/pulumi` cmd/dynamic-provider, grpcResponseFromError).
 */
import type { ServiceError } from "@grpc/grpc-js";
import { anyproto, grpc, provproto, statusproto } from "./pulumi-modules";
import { toStruct } from "./struct";

interface StepError {
  readonly message?: string;
  readonly id?: string;
  readonly properties?: Record<string, unknown>;
  readonly reasons?: string[];
}

export function grpcError(e: unknown): Partial<ServiceError> {
  const err = (e ?? {}) as StepError;
  const message = typeof err.message === "string" ? err.message : String(e);
  const metadata = new grpc.Metadata();
  if (typeof err.id === "string" && err.id !== "") {
    const status = new statusproto.Status();
    status.setCode(grpc.status.UNKNOWN);
    status.setMessage(message);
    const detail = new provproto.ErrorResourceInitFailed();
    detail.setId(err.id);
    detail.setProperties(toStruct(err.properties ?? {}));
    detail.setReasonsList(err.reasons ?? [message]);
    const any = new anyproto.Any();
    any.pack(detail.serializeBinary(), "pulumirpc.ErrorResourceInitFailed");
    status.addDetails(any);
    metadata.add("grpc-status-details-bin", Buffer.from(status.serializeBinary()));
  }
  return { code: grpc.status.UNKNOWN, details: message, message, metadata };
}
