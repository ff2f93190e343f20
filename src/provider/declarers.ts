/**
 * Who declares each (acs_user_id, acs_access_group_id) pair in one deployment, across every
 * provider process of that deployment.
 *
 * Why: the removal policy (removal-policy.ts) decides from what ONE provider process saw. Each
 * provider instance is its own process: the dynamic provider's, the native default provider's,
 * each explicit `pulumi:providers:seam`. A pair declared through two processes, or a workspace
 * served by two native instances, could turn a move into a remove and an add (the old
 * declarer's delete cannot see the new one), or net nothing. So `check` refuses, at preview:
 *  - a pair declared by two resources (in one process or in two), naming both;
 *  - one Seam workspace served by two native provider instances, naming both providers.
 *
 * The rendezvous: every plugin of a deployment is started by the engine with the address of the
 * same engine host server as its argument (`pulumi-resource-<name> <engine address>`; the
 * dynamic-provider host is started the same way), an address no other running deployment can
 * hold. Each process appends its claims, one JSON line each, to its own file in a directory named
 * after that address (under the OS temp directory), and reads the other processes' files after
 * every append: of two processes claiming at once, the later append sees the earlier, so at least
 * one of them refuses. Files of processes that have exited are ignored and removed (a later
 * deployment may reuse the port), and each process sweeps them from every deployment's directory
 * once when it starts. Without an engine address (unit tests, scripts) claims are
 * compared within the process only.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { MembershipIds } from "../seam/client";

/** Who declares a pair, in words a reader finds in the program, and through which provider. */
export interface Declarer {
  /** Identity: claims by the same resource are no conflict (`check` may run twice for one URN). */
  readonly resource: string;
  /** E.g. `AccessGroupMembership "ada-lobby"` or `a dynamic AccessGroupMembership/AccessGroupRoster of the Node.js program`. */
  readonly label: string;
  /** E.g. `the default seam provider`, `provider "site-b"`, `the Node.js dynamic provider`. */
  readonly provider: string;
}

/** Declarers of the dynamic provider: its `check` is not told the resource's URN; the program refuses its own duplicates (program/pair-claims.ts). */
export const dynamicDeclarer: Declarer = {
  resource: "pulumi-nodejs:dynamic",
  label: "a resource of the Node.js program's dynamic provider (pulumi-nodejs:dynamic/seam:…)",
  provider: "the Node.js dynamic provider",
};

/** The error a second declarer of a pair gets. */
export function duplicateClaimMessage(acsUserId: string, acsAccessGroupId: string, first: string, second: string): string {
  return (
    `acs_user_id ${acsUserId} in acs_access_group_id ${acsAccessGroupId} is declared twice: by ${first} and by ${second}. ` +
    "A pair may be declared by one resource only, so that removing one declaration always means removing the access. " +
    "Keep one of them (to move a pair between resources, declare it in the new place and drop it from the old in the same change)."
  );
}

type Claim =
  | { readonly k: "pair"; readonly pair: string; readonly resource: string; readonly label: string; readonly provider: string }
  | { readonly k: "workspace"; readonly workspace: string; readonly providerUrn: string; readonly provider: string };

/** The engine address a plugin was started with (its last argument, `host:port`), or undefined. */
export function engineAddressOf(argv: readonly string[]): string | undefined {
  const last = [...argv].reverse().find((a) => !a.startsWith("-"));
  return last !== undefined && /^(127\.0\.0\.1|localhost|\[::1\]|0\.0\.0\.0):\d+$/.test(last) ? last : undefined;
}

export class DeclarerRendezvous {
  private readonly pairs = new Map<string, Declarer>();
  private readonly workspaces = new Map<string, { providerUrn: string; provider: string }>();
  private readonly others = new Map<string, { offset: number; pairs: Map<string, Declarer>; workspaces: Map<string, { providerUrn: string; provider: string }> }>();
  private readonly own: string | undefined;

  /** `dir`: the deployment's directory (see rendezvousDir), or undefined to compare within this process only. */
  constructor(private readonly dir: string | undefined, private readonly pid: number = process.pid) {
    if (dir) {
      sweep(path.dirname(dir), pid);
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      this.own = path.join(dir, `${pid}.jsonl`);
    }
  }

  /** Claims `ids` for `who`; returns the refusal message when another resource already declares the pair. */
  claimPair(ids: MembershipIds, who: Declarer): string | undefined {
    const pair = `${ids.acsAccessGroupId}/${ids.acsUserId}`;
    const mine = this.pairs.get(pair);
    if (mine && mine.resource !== who.resource) return duplicateClaimMessage(ids.acsUserId, ids.acsAccessGroupId, describe(mine), describe(who));
    if (!mine) {
      this.pairs.set(pair, who);
      this.append({ k: "pair", pair, resource: who.resource, label: who.label, provider: who.provider });
    }
    for (const other of this.readOthers()) {
      const theirs = other.pairs.get(pair);
      if (theirs && theirs.resource !== who.resource) return duplicateClaimMessage(ids.acsUserId, ids.acsAccessGroupId, describe(theirs), describe(who));
    }
    return undefined;
  }

  /** Claims Seam workspace `workspace` for the provider instance `providerUrn`; the refusal when another instance serves it. */
  claimWorkspace(workspace: string, providerUrn: string, provider: string): string | undefined {
    if (!this.workspaces.has(workspace)) {
      this.workspaces.set(workspace, { providerUrn, provider });
      this.append({ k: "workspace", workspace, providerUrn, provider });
    }
    for (const other of this.readOthers()) {
      const theirs = other.workspaces.get(workspace);
      if (theirs && theirs.providerUrn !== providerUrn) {
        return (
          `Seam workspace ${workspace} is served by two seam provider instances in this deployment: ${theirs.provider} and ${provider}. ` +
          "Each provider instance runs in its own process and nets only what it sees, so a member moving between resources of the " +
          "two could be removed, or a removal missed. Use one provider instance per Seam workspace (pass the same provider to every " +
          "resource of that workspace). Nothing was sent to Seam."
        );
      }
    }
    return undefined;
  }

  private append(claim: Claim): void {
    if (!this.own) return;
    const line = `${JSON.stringify(claim)}\n`;
    try {
      fs.appendFileSync(this.own, line, { mode: 0o600 });
    } catch (e) {
      // Another process's sweep removed the directory while it was still empty: make it again.
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
      fs.mkdirSync(this.dir!, { recursive: true, mode: 0o700 });
      fs.appendFileSync(this.own, line, { mode: 0o600 });
    }
  }

  /** The claims of the deployment's other live processes, read incrementally. */
  private readOthers() {
    if (!this.dir) return [];
    const live = [];
    let files: string[];
    try {
      files = fs.readdirSync(this.dir);
    } catch {
      return [];
    }
    for (const file of files) {
      const pid = Number(file.replace(/\.jsonl$/, ""));
      if (!Number.isInteger(pid) || pid === this.pid) continue;
      const full = path.join(this.dir, file);
      if (!alive(pid)) {
        this.others.delete(file);
        fs.rmSync(full, { force: true });
        continue;
      }
      let entry = this.others.get(file);
      if (!entry) this.others.set(file, (entry = { offset: 0, pairs: new Map(), workspaces: new Map() }));
      let text: string;
      try {
        text = readFrom(full, entry.offset);
      } catch {
        continue; // removed meanwhile: its process has exited
      }
      // Only whole lines: a line being appended right now is read next time.
      const end = text.lastIndexOf("\n") + 1;
      entry.offset += Buffer.byteLength(text.slice(0, end));
      for (const line of text.slice(0, end).split("\n")) {
        if (!line) continue;
        const claim = JSON.parse(line) as Claim;
        if (claim.k === "pair") entry.pairs.set(claim.pair, { resource: claim.resource, label: claim.label, provider: claim.provider });
        else entry.workspaces.set(claim.workspace, { providerUrn: claim.providerUrn, provider: claim.provider });
      }
      live.push(entry);
    }
    return live;
  }
}

/** The directory of the deployment served by the engine at `engineAddress`. */
export function rendezvousDir(engineAddress: string): string {
  const uid = typeof process.getuid === "function" ? process.getuid() : "user";
  return path.join(os.tmpdir(), `pulumi-seam-acs-${uid}`, engineAddress.replace(/[^A-Za-z0-9.-]/g, "_"));
}

let shared: DeclarerRendezvous | undefined;

/** This process's rendezvous, keyed by the engine address in its arguments (see the module comment). */
export function processRendezvous(): DeclarerRendezvous {
  if (!shared) {
    const address = engineAddressOf(process.argv.slice(2));
    shared = new DeclarerRendezvous(address ? rendezvousDir(address) : undefined);
  }
  return shared;
}

/**
 * Removes the claim files of processes that have exited, in every deployment's directory, and
 * the directories left empty: the engine ends its plugins with a signal, so a process cannot be
 * relied on to remove its own file. Run once per process; a file that vanishes meanwhile is fine.
 */
function sweep(base: string, self: number): void {
  let dirs: string[];
  try {
    dirs = fs.readdirSync(base);
  } catch {
    return;
  }
  for (const d of dirs) {
    const dir = path.join(base, d);
    try {
      const files = fs.readdirSync(dir);
      for (const f of files) {
        const pid = Number(f.replace(/\.jsonl$/, ""));
        if (Number.isInteger(pid) && pid !== self && !alive(pid)) fs.rmSync(path.join(dir, f), { force: true });
      }
      if (fs.readdirSync(dir).length === 0) fs.rmdirSync(dir);
    } catch {
      // Another process is sweeping or writing there: leave it.
    }
  }
}

function describe(d: Declarer): string {
  return `${d.label} (through ${d.provider})`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readFrom(file: string, offset: number): string {
  const fd = fs.openSync(file, "r");
  try {
    const size = fs.fstatSync(fd).size;
    if (size <= offset) return "";
    const buf = Buffer.alloc(size - offset);
    fs.readSync(fd, buf, 0, buf.length, offset);
    return buf.toString("utf8");
  } finally {
    fs.closeSync(fd);
  }
}
