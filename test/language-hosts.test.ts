/**
 * The YAML and Go language hosts that scripts/language-hosts.sh builds (started by test/global-setup.ts) run
 * programs with the real pinned CLI: stack config in, a resource and an output in state, then destroy. No Seam
 * provider is involved; this proves the hosts the native provider's YAML and Go tests stand on.
 */
import fs from "node:fs";
import path from "node:path";
import { PulumiProject } from "./support/pulumi";
import { repoRoot } from "./support/consumer";

/** The stack's resources (type and URN) from `pulumi stack export`. */
async function resources(project: PulumiProject): Promise<{ type: string; urn: string }[]> {
  const { stdout } = await project.run(["stack", "export"]);
  return JSON.parse(stdout).deployment.resources ?? [];
}

/** The fixture Go program (main.go, go.mod, go.sum against the pinned Go SDK) as project files. */
function goProgramFiles(name: string): Record<string, string> {
  const dir = path.join(repoRoot, "test/fixtures/go-program");
  const files: Record<string, string> = { "Pulumi.yaml": `name: ${name}\nruntime: go\n` };
  for (const f of ["main.go", "go.mod", "go.sum"]) files[f] = fs.readFileSync(path.join(dir, f), "utf8");
  return files;
}

describe("language hosts with the pinned CLI", () => {
  test("a YAML program: up reads stack config and writes its output; destroy empties the stack", async () => {
    const project = new PulumiProject("yaml-host", {
      files: {
        "Pulumi.yaml": [
          "name: yaml-host",
          "runtime: yaml",
          "config:",
          "  name:",
          "    type: string",
          "outputs:",
          "  greeting: hello ${name}",
          "",
        ].join("\n"),
      },
    });
    await project.init();
    await project.run(["config", "set", "name", "yaml"]);
    const up = await project.up();
    expect(up.stdout).toContain("+ 1 created");
    expect((await project.run(["stack", "output", "greeting"])).stdout.trim()).toBe("hello yaml");
    expect((await resources(project)).map((r) => r.type)).toEqual(["pulumi:pulumi:Stack"]);
    await project.destroy();
    expect(await resources(project)).toEqual([]);
  });

  test("a YAML program's error reaches the user (the host really evaluates the program)", async () => {
    const project = new PulumiProject("yaml-host-error", {
      files: { "Pulumi.yaml": "name: yaml-host-error\nruntime: yaml\noutputs:\n  broken: ${missing.value}\n" },
    });
    await project.init();
    const up = await project.up({ allowFailure: true });
    expect(up.code).not.toBe(0);
    expect(up.stdout + up.stderr).toMatch(/missing/);
  });

  // The first build of a Go program against the SDK compiles the SDK (about 1.5 min on 2 cores); later runs reuse
  // GOCACHE and take seconds.
  test(
    "a Go program: the host builds it against the pinned SDK; up registers its resource and output; destroy removes them",
    async () => {
      const project = new PulumiProject("go-host", { files: goProgramFiles("go-host") });
      await project.init();
      await project.run(["config", "set", "name", "go"]);
      const up = await project.up();
      expect(up.stdout).toContain("+ 2 created");
      expect((await project.run(["stack", "output", "greeting"])).stdout.trim()).toBe("hello go");
      expect((await resources(project)).map((r) => r.type)).toEqual(["pulumi:pulumi:Stack", "seamtest:index:Marker"]);

      // A second up runs the program again and finds nothing to change.
      const again = await project.up();
      expect(again.stdout).toContain("2 unchanged");

      await project.destroy();
      expect(await resources(project)).toEqual([]);
    },
    600_000,
  );

  test("a Go program that does not compile fails `up` with the compiler's message", async () => {
    const files = goProgramFiles("go-host-broken");
    files["main.go"] = files["main.go"]!.replace("return nil\n\t})", "return undefinedName\n\t})");
    const project = new PulumiProject("go-host-broken", { files });
    await project.init();
    await project.run(["config", "set", "name", "go"]);
    const up = await project.up({ allowFailure: true });
    expect(up.code).not.toBe(0);
    expect(up.stdout + up.stderr).toContain("undefined: undefinedName");
  }, 600_000);
});
