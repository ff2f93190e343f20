/**
 * Drives the native `seam` plugin (bin/pulumi-resource-seam, the built dist/) as the engine does:
 * starts the executable with an engine address, reads its port from stdout, and calls the
 * ResourceProvider protocol over gRPC with the stubs of @pulumi/pulumi/proto.
 */
import { ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { repoRoot } from "./consumer";

const fromPulumi = createRequire(require.resolve("@pulumi/pulumi/package.json"));
const grpc = fromPulumi("@grpc/grpc-js");
const provrpc = fromPulumi("./proto/provider_grpc_pb");
export const provproto = fromPulumi("./proto/provider_pb");
const structproto = fromPulumi("google-protobuf/google/protobuf/struct_pb");
const emptyproto = fromPulumi("google-protobuf/google/protobuf/empty_pb");

type Props = Record<string, unknown>;

export const secret = (value: unknown) => ({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value });
export const membershipType = "seam:index:AccessGroupMembership";
export const rosterType = "seam:index:AccessGroupRoster";
export const urnOf = (type: string, name: string) => `urn:pulumi:test::native::${type}::${name}`;

export interface DiffResult {
  changes: "none" | "some" | "unknown";
  replaces: string[];
  detailedDiff: Record<string, number>;
}

/** Made-up engine addresses: nothing listens there, they only key the declarer rendezvous. */
let nextPort = 20_000 + (process.pid % 20_000);

export class NativePlugin {
  private constructor(
    private readonly child: ChildProcess,
    private readonly client: any,
    readonly stderr: () => string,
  ) {}

  /**
   * Starts the plugin with `env` as its whole environment (plus PATH). Plugins given the same
   * `engineAddress` are one deployment's (they see each other's declarers); by default each is its own.
   * `executable` is the plugin to run: by default the package's Node.js script, bin/pulumi-resource-seam.
   */
  static async start(env: NodeJS.ProcessEnv = {}, engineAddress = `127.0.0.1:${nextPort++}`, executable = path.join(repoRoot, "bin/pulumi-resource-seam")): Promise<NativePlugin> {
    const child = spawn(executable, [engineAddress], {
      env: { PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH}`, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    child.stderr!.on("data", (d) => (err += String(d)));
    const port = await new Promise<string>((resolve, reject) => {
      child.stdout!.once("data", (d) => resolve(String(d).trim()));
      child.once("exit", (code) => reject(new Error(`plugin exited ${code}: ${err}`)));
    });
    const client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    return new NativePlugin(child, client, () => err);
  }

  /** The plugin process's id. */
  get pid(): number {
    return this.child.pid!;
  }

  private call<T>(method: string, req: unknown): Promise<T> {
    return new Promise((resolve, reject) => this.client[method](req, (e: Error | null, res: T) => (e ? reject(e) : resolve(res))));
  }

  async schema(): Promise<any> {
    return JSON.parse((await this.call<any>("getSchema", new provproto.GetSchemaRequest())).getSchema());
  }
  async version(): Promise<string> {
    return (await this.call<any>("getPluginInfo", new emptyproto.Empty())).getVersion();
  }
  /** Configure as the engine does for the provider named `name` (`default_0_1_0` for the default one). */
  async configure(args: Props, name = "default_0_1_0"): Promise<void> {
    const req = new provproto.ConfigureRequest();
    req.setArgs(structproto.Struct.fromJavaScript(args));
    req.setUrn(urnOf("pulumi:providers:seam", name));
    req.setName(name);
    req.setType("pulumi:providers:seam");
    req.setAcceptsecrets(true);
    await this.call("configure", req);
  }
  async check(type: string, name: string, news: Props, olds: Props = {}): Promise<{ inputs: Props; failures: { property: string; reason: string }[] }> {
    const req = new provproto.CheckRequest();
    req.setUrn(urnOf(type, name)).setName(name).setType(type);
    req.setOlds(structproto.Struct.fromJavaScript(olds));
    req.setNews(structproto.Struct.fromJavaScript(news));
    const res = await this.call<any>("check", req);
    return { inputs: res.getInputs()?.toJavaScript() ?? {}, failures: res.getFailuresList().map((f: any) => ({ property: f.getProperty(), reason: f.getReason() })) };
  }
  async diff(type: string, name: string, id: string, olds: Props, news: Props): Promise<DiffResult> {
    const req = new provproto.DiffRequest();
    req.setUrn(urnOf(type, name)).setName(name).setType(type).setId(id);
    req.setOlds(structproto.Struct.fromJavaScript(olds));
    req.setNews(structproto.Struct.fromJavaScript(news));
    const res = await this.call<any>("diff", req);
    const detailedDiff: Record<string, number> = {};
    res.getDetaileddiffMap().forEach((v: any, k: string) => (detailedDiff[k] = v.getKind()));
    return { changes: (["unknown", "none", "some"] as const)[res.getChanges()]!, replaces: res.getReplacesList(), detailedDiff };
  }
  async create(type: string, name: string, inputs: Props): Promise<{ id: string; outs: Props }> {
    const req = new provproto.CreateRequest();
    req.setUrn(urnOf(type, name)).setName(name).setType(type);
    req.setProperties(structproto.Struct.fromJavaScript(inputs));
    const res = await this.call<any>("create", req);
    return { id: res.getId(), outs: res.getProperties()?.toJavaScript() ?? {} };
  }
  async read(type: string, name: string, id: string, props: Props = {}): Promise<{ id: string; outs: Props; inputs: Props }> {
    const req = new provproto.ReadRequest();
    req.setUrn(urnOf(type, name)).setName(name).setType(type).setId(id);
    req.setProperties(structproto.Struct.fromJavaScript(props));
    const res = await this.call<any>("read", req);
    return { id: res.getId(), outs: res.getProperties()?.toJavaScript() ?? {}, inputs: res.getInputs()?.toJavaScript() ?? {} };
  }
  async update(type: string, name: string, id: string, olds: Props, news: Props): Promise<Props> {
    const req = new provproto.UpdateRequest();
    req.setUrn(urnOf(type, name)).setName(name).setType(type).setId(id);
    req.setOlds(structproto.Struct.fromJavaScript(olds));
    req.setNews(structproto.Struct.fromJavaScript(news));
    return (await this.call<any>("update", req)).getProperties()?.toJavaScript() ?? {};
  }
  async delete(type: string, name: string, id: string, props: Props): Promise<void> {
    const req = new provproto.DeleteRequest();
    req.setUrn(urnOf(type, name)).setName(name).setType(type).setId(id);
    req.setProperties(structproto.Struct.fromJavaScript(props));
    await this.call("delete", req);
  }

  stop(): void {
    this.client.close();
    this.child.kill();
  }
}
