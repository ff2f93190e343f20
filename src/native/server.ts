/**
 * The `seam` resource provider's gRPC service (Pulumi's ResourceProvider protocol,
 * proto/pulumi/provider.proto): one method per engine call, each a translation between the
 * protocol's messages and NativeResources / the provider configuration. Methods not listed
 * (Invoke, Call, Construct, GetMapping, …) answer UNIMPLEMENTED, which the engine reads as "not
 * supported" (pkg/resource/plugin/provider_plugin.go at v3.274.1).
 */
import type { sendUnaryData, ServerUnaryCall, UntypedServiceImplementation } from "@grpc/grpc-js";
import type * as provTypes from "@pulumi/pulumi/proto/provider_pb";
import { processRendezvous } from "../provider/declarers";
import { MembershipProvider } from "../provider/membership-provider";
import type { ConfigSource } from "../seam/settings";
import { DiffKind } from "./detailed-diff";
import { grpcError } from "./grpc-errors";
import { NativeResources } from "./native-resources";
import { configFromArgs, plaintextTokenRefusal, providerIdentity } from "./provider-config";
import { plainConfigValues, stackOfUrn } from "./stack-config-file";
import { emptyproto, pluginproto, provproto } from "./pulumi-modules";
import { packageVersion, schemaText } from "./schema";
import { fromStruct, Props, toStruct } from "./struct";
import { kindOf } from "./type-tokens";

type Handler<Req, Res> = (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => void;

/** A unary handler from an async function; a thrown error becomes the call's gRPC error. */
function unary<Req, Res>(fn: (req: Req) => Promise<Res>): Handler<Req, Res> {
  return (call, callback) => {
    fn(call.request).then(
      (res) => callback(null, res),
      (e) => callback(grpcError(e)),
    );
  };
}

const diffKinds: Record<DiffKind, provTypes.PropertyDiff.Kind> = {
  add: provproto.PropertyDiff.Kind.ADD,
  addReplace: provproto.PropertyDiff.Kind.ADD_REPLACE,
  delete: provproto.PropertyDiff.Kind.DELETE,
  deleteReplace: provproto.PropertyDiff.Kind.DELETE_REPLACE,
  update: provproto.PropertyDiff.Kind.UPDATE,
  updateReplace: provproto.PropertyDiff.Kind.UPDATE_REPLACE,
};

/** The service for one provider process (= one provider instance: the default one, or an explicit one). */
export function resourceProviderService(env: NodeJS.ProcessEnv = process.env): UntypedServiceImplementation {
  const declarers = processRendezvous();
  const provider = new MembershipProvider(env, declarers);
  let identity = providerIdentity(undefined, undefined);
  const resources = new NativeResources(provider, declarers, () => identity);
  const configure = (config: ConfigSource) => provider.configure({ config } as unknown as Parameters<MembershipProvider["configure"]>[0]);

  const service = {
    getPluginInfo: unary(async () => new pluginproto.PluginInfo().setVersion(packageVersion)),

    getSchema: unary(async (_req: provTypes.GetSchemaRequest) => new provproto.GetSchemaResponse().setSchema(schemaText())),

    // Settings are checked where they are used (resolveSettings, at the first check), with
    // errors that name the keys; the engine strips secrets from this call, so it cannot judge tokens.
    checkConfig: unary(async (req: provTypes.CheckRequest) => new provproto.CheckResponse().setInputs(req.getNews())),

    // A changed setting (a rotated key) updates the provider in place: replacing it would replace
    // every resource it manages, i.e. remove and add every membership.
    diffConfig: unary(async (req: provTypes.DiffRequest) => {
      const { version: _o, ...olds } = fromStruct(req.getOlds());
      const { version: _n, ...news } = fromStruct(req.getNews());
      const changed = [...new Set([...Object.keys(olds), ...Object.keys(news)])].filter((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
      const res = new provproto.DiffResponse();
      res.setChanges(changed.length > 0 ? provproto.DiffResponse.DiffChanges.DIFF_SOME : provproto.DiffResponse.DiffChanges.DIFF_NONE);
      res.setDiffsList(changed);
      return res;
    }),

    configure: unary(async (req: provTypes.ConfigureRequest) => {
      const args = fromStruct(req.getArgs());
      identity = providerIdentity(req.getUrn(), req.getName());
      // Only the default provider's inputs come from the stack config files.
      const stack = identity.isDefault ? stackOfUrn(identity.urn) : undefined;
      const plainInFiles = stack === undefined ? undefined : plainConfigValues(stack);
      const refusal = plaintextTokenRefusal(args, identity, plainInFiles);
      if (refusal) throw new Error(refusal);
      await configure(configFromArgs(args, identity));
      // Secrets arrive unwrapped in every later call and the engine marks them again in the
      // state; no create or update at preview (supportsPreview false).
      return new provproto.ConfigureResponse().setAcceptsecrets(false).setSupportspreview(false).setAcceptresources(false);
    }),

    check: unary(async (req: provTypes.CheckRequest) => {
      const kind = kindOf(req.getType(), req.getUrn());
      const result = await resources.check(kind, req.getUrn(), fromStruct(req.getOlds()), fromStruct(req.getNews()));
      const res = new provproto.CheckResponse().setInputs(toStruct(result.inputs));
      res.setFailuresList(result.failures.map((f) => new provproto.CheckFailure().setProperty(f.property).setReason(f.reason)));
      return res;
    }),

    diff: unary(async (req: provTypes.DiffRequest) => {
      const kind = kindOf(req.getType(), req.getUrn());
      const result = await resources.diff(kind, req.getId(), fromStruct(req.getOlds()), fromStruct(req.getNews()));
      const res = new provproto.DiffResponse();
      res.setChanges(result.changes ? provproto.DiffResponse.DiffChanges.DIFF_SOME : provproto.DiffResponse.DiffChanges.DIFF_NONE);
      res.setReplacesList([...result.replaces]);
      res.setDeletebeforereplace(false);
      res.setDiffsList([...new Set(Object.keys(result.detailedDiff).map((path) => path.split(/[.[]/)[0]!))]);
      if (result.changes) {
        const detail = res.getDetaileddiffMap();
        for (const [path, kindOfChange] of Object.entries(result.detailedDiff)) {
          detail.set(path, new provproto.PropertyDiff().setKind(diffKinds[kindOfChange]).setInputdiff(true));
        }
        res.setHasdetaileddiff(true);
      }
      return res;
    }),

    create: unary(async (req: provTypes.CreateRequest) => {
      const kind = kindOf(req.getType(), req.getUrn());
      const { id, outs } = await resources.create(kind, fromStruct(req.getProperties()));
      return new provproto.CreateResponse().setId(id).setProperties(toStruct(outs));
    }),

    read: unary(async (req: provTypes.ReadRequest) => {
      const kind = kindOf(req.getType(), req.getUrn());
      const result = await resources.read(kind, req.getId(), fromStruct(req.getProperties()));
      const res = new provproto.ReadResponse().setId(result.id);
      if (result.props) res.setProperties(toStruct(result.props));
      if (result.inputs) res.setInputs(toStruct(result.inputs));
      return res;
    }),

    update: unary(async (req: provTypes.UpdateRequest) => {
      const kind = kindOf(req.getType(), req.getUrn());
      const outs = await resources.update(kind, req.getId(), fromStruct(req.getOlds()), fromStruct(req.getNews()));
      return new provproto.UpdateResponse().setProperties(toStruct(outs));
    }),

    delete: unary(async (req: provTypes.DeleteRequest) => {
      const kind = kindOf(req.getType(), req.getUrn());
      await resources.delete(kind, req.getId(), fromStruct(req.getProperties()));
      return new emptyproto.Empty();
    }),

    // engine-cancel.ts watches this server's streams for the Cancel path and ends waits early.
    cancel: unary(async () => new emptyproto.Empty()),
  };
  return service as unknown as UntypedServiceImplementation;
}

export type { Props };
