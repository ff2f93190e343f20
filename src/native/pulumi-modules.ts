/**
 * The gRPC runtime and the provider protocol's generated stubs, loaded from where `@pulumi/pulumi`
 * finds them: the stubs require `@grpc/grpc-js` and `google-protobuf` themselves, so the server
 * and the messages it builds must come from the same copies (npm may nest them under
 * `@pulumi/pulumi/node_modules`, where this package's own `require` would not look).
 */
import { createRequire } from "node:module";
import type * as grpcTypes from "@grpc/grpc-js";
import type * as structTypes from "google-protobuf/google/protobuf/struct_pb";
import type * as emptyTypes from "google-protobuf/google/protobuf/empty_pb";
import type * as anyTypes from "google-protobuf/google/protobuf/any_pb";
import type * as provTypes from "@pulumi/pulumi/proto/provider_pb";
import type * as provRpcTypes from "@pulumi/pulumi/proto/provider_grpc_pb";
import type * as pluginTypes from "@pulumi/pulumi/proto/plugin_pb";
import type * as statusTypes from "@pulumi/pulumi/proto/status_pb";

const fromPulumi = createRequire(require.resolve("@pulumi/pulumi/package.json"));

export const grpc = fromPulumi("@grpc/grpc-js") as typeof grpcTypes;
export const structproto = fromPulumi("google-protobuf/google/protobuf/struct_pb") as typeof structTypes;
export const emptyproto = fromPulumi("google-protobuf/google/protobuf/empty_pb") as typeof emptyTypes;
export const anyproto = fromPulumi("google-protobuf/google/protobuf/any_pb") as typeof anyTypes;
export const provproto = fromPulumi("./proto/provider_pb") as typeof provTypes;
export const provrpc = fromPulumi("./proto/provider_grpc_pb") as typeof provRpcTypes;
export const pluginproto = fromPulumi("./proto/plugin_pb") as typeof pluginTypes;
export const statusproto = fromPulumi("./proto/status_pb") as typeof statusTypes;
