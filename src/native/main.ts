/**
 * `pulumi-resource-seam`: the native `seam` provider's process. The engine starts one per
 * provider instance as `pulumi-resource-seam [flags] <engine address>`, reads the port from the
 * first line of stdout, and speaks the ResourceProvider protocol to it over gRPC on loopback.
 */
// First: refuse an old Node.js before undici loads (see node-version.ts).
import "../supported-node";
import { grpc, provrpc } from "./pulumi-modules";
import { resourceProviderService } from "./server";

async function main(): Promise<void> {
  const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
  server.addService(provrpc.ResourceProviderService, resourceProviderService(process.env));
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  // The engine reads the port from the first line; nothing else is written to stdout.
  process.stdout.write(`${port}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`pulumi-resource-seam: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
