/**
 * Runs the real pulumi CLI on a project inside the shared consumer (so the packed package resolves
 * from node_modules, as for a user), with a private PULUMI_HOME, a file:// backend and a
 * passphrase: never the user's own Pulumi login or state.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { nodeBinDir } from "./consumer";

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ProjectOptions {
  /** index.js of the program; the default declares `memberships` from stack config. */
  readonly program?: string;
  /** Extra environment for every command (e.g. SEAM_API_KEY). */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * The project's files (path relative to the project directory -> content), written instead of the Node.js
   * project (Pulumi.yaml, index.js, package.json): a YAML or Go program, run by the language hosts from
   * scripts/language-hosts.sh (on PATH after the CLI's directory).
   */
  readonly files?: Record<string, string>;
}

/**
 * Declares one AccessGroupMembership per entry of the stack config `memberships`. An entry with
 * `userFrom` takes its user from an earlier entry's output, so the engine registers it only once
 * that resource's step has finished.
 */
export const configDrivenProgram = `
const pulumi = require("@pulumi/pulumi");
const { AccessGroupMembership } = require("pulumi-seam-acs");
const entries = new pulumi.Config().getObject("memberships") || [];
const byName = {};
for (const m of entries) {
  const acsUserId = m.userFrom ? byName[m.userFrom].acsUserId : m.acsUserId;
  byName[m.name] = new AccessGroupMembership(m.name, { acsUserId, acsAccessGroupId: m.acsAccessGroupId }, { aliases: m.aliases });
}
module.exports.workspaces = Object.values(byName).map((m) => m.workspaceId);
`;

export interface Membership {
  name: string;
  acsUserId: string;
  acsAccessGroupId: string;
  aliases?: string[];
  /** Take the user from this earlier entry's output (the entry's own acsUserId is then ignored). */
  userFrom?: string;
}

/** The Go toolchain's settings from this process's environment (only those that are set). */
function goEnv(): NodeJS.ProcessEnv {
  const names = ["GOPATH", "GOCACHE", "GOMODCACHE", "GOPROXY", "GOFLAGS", "GOTOOLCHAIN", "GONOSUMDB", "GOPRIVATE", "XDG_CACHE_HOME"];
  return Object.fromEntries(names.filter((n) => process.env[n] !== undefined).map((n) => [n, process.env[n]]));
}

export class PulumiProject {
  readonly dir: string;
  readonly home: string;
  readonly backend: string;
  private env: NodeJS.ProcessEnv;

  constructor(name: string, options: ProjectOptions = {}) {
    const consumer = process.env.SEAM_ACS_TEST_CONSUMER;
    const bin = process.env.PULUMI_SEAM_ACS_PULUMI_BIN;
    if (!consumer || !bin) throw new Error("test/global-setup.ts did not run: no consumer project or pulumi CLI");
    this.dir = fs.mkdtempSync(path.join(consumer, `${name}-`));
    this.home = path.join(this.dir, ".pulumi-home");
    this.backend = path.join(this.dir, ".state");
    fs.mkdirSync(this.home);
    fs.mkdirSync(this.backend);
    if (options.files) {
      for (const [name, content] of Object.entries(options.files)) {
        fs.mkdirSync(path.dirname(path.join(this.dir, name)), { recursive: true });
        fs.writeFileSync(path.join(this.dir, name), content);
      }
    } else {
      // The programs are plain JavaScript; without `typescript: false` the Node.js language host loads
      // its vendored TypeScript compiler on every run, about 1 s of CPU per up, preview or destroy
      // (measured). The engine and the provider run exactly as for any JavaScript project.
      fs.writeFileSync(path.join(this.dir, "Pulumi.yaml"), `name: ${name}\nruntime:\n  name: nodejs\n  options:\n    typescript: false\n`);
      fs.writeFileSync(path.join(this.dir, "index.js"), options.program ?? configDrivenProgram);
      // Its own package.json, as a real project has; dependencies resolve from the consumer above.
      fs.writeFileSync(path.join(this.dir, "package.json"), JSON.stringify({ name, private: true, main: "index.js" }));
    }
    this.env = {
      PATH: [bin, process.env.PULUMI_SEAM_ACS_LANGUAGE_HOSTS_BIN, nodeBinDir, process.env.PATH]
        .filter((p) => p)
        .join(path.delimiter),
      HOME: process.env.HOME,
      // The Go language host runs `go build`: the machine's Go settings (module proxy, caches that keep later
      // builds of a Go program quick) apply as in the user's shell.
      ...goEnv(),
      PULUMI_HOME: this.home,
      PULUMI_BACKEND_URL: `file://${this.backend}`,
      PULUMI_CONFIG_PASSPHRASE: "test-passphrase",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
      PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
      ...options.env,
    };
  }

  /** The environment every command of this project gets (PATH with the CLI, private PULUMI_HOME, backend, passphrase). */
  get commandEnv(): NodeJS.ProcessEnv {
    return { ...this.env };
  }

  setEnv(env: NodeJS.ProcessEnv): void {
    this.env = { ...this.env, ...env };
  }

  run(args: string[], options: { allowFailure?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      execFile(
        "pulumi",
        [...args, "--non-interactive", "--color=never"],
        { cwd: this.dir, env: { ...this.env, ...options.env }, maxBuffer: 64 * 1024 * 1024 },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
          const result = { code, stdout, stderr };
          if (code !== 0 && !options.allowFailure) {
            reject(new Error(`pulumi ${args.join(" ")} exited ${code}\n${stdout}\n${stderr}`));
          } else resolve(result);
        },
      );
    });
  }

  async init(stack = "test"): Promise<void> {
    await this.run(["stack", "init", stack]);
  }

  async setMemberships(memberships: Membership[]): Promise<void> {
    await this.run(["config", "set", "memberships", JSON.stringify(memberships)]);
  }

  up(options?: { allowFailure?: boolean; parallel?: number }) {
    const parallel = options?.parallel ? ["--parallel", String(options.parallel)] : [];
    return this.run(["up", "--yes", "--skip-preview", ...parallel], options);
  }
  preview(options?: { allowFailure?: boolean }) {
    return this.run(["preview"], options);
  }
  /** `pulumi preview --json` (plus `extra` flags): the engine's JSON document, also when the preview fails. */
  async previewJson(extra: string[] = []): Promise<RunResult> {
    return this.run(["preview", "--json", ...extra], { allowFailure: true });
  }
  refresh(options?: { allowFailure?: boolean }) {
    return this.run(["refresh", "--yes", "--skip-preview"], options);
  }
  destroy(options?: { allowFailure?: boolean }) {
    return this.run(["destroy", "--yes", "--skip-preview"], options);
  }

  /** The stack's resources of our type, from `pulumi stack export`. */
  async memberships(): Promise<{ urn: string; id: string; outputs: Record<string, unknown> }[]> {
    const { stdout } = await this.run(["stack", "export"]);
    const deployment = JSON.parse(stdout).deployment;
    return (deployment.resources ?? []).filter((r: { type: string }) => r.type === "pulumi-nodejs:dynamic/seam:AccessGroupMembership");
  }

  /** The resources of this package's dynamic types (memberships and rosters) in the state. */
  async seamResources(): Promise<{ urn: string; type: string; id: string; outputs: Record<string, unknown> }[]> {
    const { stdout } = await this.run(["stack", "export"]);
    const deployment = JSON.parse(stdout).deployment;
    return (deployment.resources ?? []).filter((r: { type: string }) => r.type.startsWith("pulumi-nodejs:dynamic/seam:"));
  }

  /** Every file of the backend's state, as text. */
  stateFiles(): string {
    const out: string[] = [];
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else out.push(fs.readFileSync(p, "utf8"));
      }
    };
    walk(this.backend);
    return out.join("\n");
  }
}
