/**
 * Who declares each (acs_user_id, acs_access_group_id) pair in one deployment, across every
 * provider process of that deployment.
 *
 * Why: each provider instance is its own process: the dynamic provider's, the native default
 * provider's, each explicit `pulumi:providers:seam`. When one update moves a resource to another
 * instance (default ↔ explicit, a renamed explicit provider, dynamic → native) and renames or
 * replaces it, the new resource is checked and created in one process while the old one is
 * deleted in another, which on its own sees no declarer and would remove a pair the program still
 * declares. So every process publishes what the removal policy needs — pairs declared (check),
 * pairs held (created, or kept by diff), replacements planned and started — and a delete nets
 * against the whole deployment (DeploymentFacts.forDelete merges peerFacts). And `check` refuses,
 * at preview:
 *  - a pair declared by two resources (in one process or in two), naming both;
 *  - one Seam workspace served by two native provider instances that both check resources, naming
 *    both providers (an instance that only deletes, as after a move, nets through the files).
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
  | { readonly k: "workspace"; readonly workspace: string; readonly providerUrn: string; readonly provider: string }
  | { readonly k: "held"; readonly pairs: readonly string[] }
  | { readonly k: "replacing"; readonly id: string; readonly target: string }
  | { readonly k: "creating"; readonly target: string };

/** What one other live process of the deployment has said (see the Claim kinds). */
interface PeerClaims {
  offset: number;
  readonly pairs: Map<string, Declarer>;
  readonly workspaces: Map<string, { providerUrn: string; provider: string }>;
  /** Pairs a resource of that process holds in the state this run leaves (created, or kept by diff). */
  readonly held: Set<string>;
  /** Resource id → what its planned replacement will hold (a pair or a roster id). */
  readonly replacing: Map<string, string>;
  /** Replacements whose create started there. */
  readonly creating: Set<string>;
}

/**
 * What the deployment's OTHER provider processes know about one pair, for the removal policy of a
 * delete running here: a resource moved to another provider instance in the same update (the
 * default provider to an explicit one, a renamed explicit provider, the dynamic provider to the
 * native one) is checked and created there, while its old resource is deleted here.
 */
export interface PeerFacts {
  /** Another process's resource declares the pair (its check claimed it). */
  readonly declaredBy?: Declarer;
  /** Another process's resource holds the pair in the state this run leaves. */
  readonly held: boolean;
  /** Another process planned a replacement of this resource id whose create has not started: delete-first. */
  readonly replacementPending: boolean;
}

/** The engine address a plugin was started with (its last argument, `host:port`), or undefined. */
export function engineAddressOf(argv: readonly string[]): string | undefined {
  const last = [...argv].reverse().find((a) => !a.startsWith("-"));
  return last !== undefined && /^(127\.0\.0\.1|localhost|\[::1\]|0\.0\.0\.0):\d+$/.test(last) ? last : undefined;
}

export class DeclarerRendezvous {
  private readonly pairs = new Map<string, Declarer>();
  private readonly workspaces = new Map<string, { providerUrn: string; provider: string }>();
  private readonly others = new Map<string, PeerClaims>();
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

  /** This process's resources hold `pairs` (`group/user`) in the state this run leaves: one line for all of them. */
  noteHeld(pairs: readonly string[]): void {
    if (pairs.length > 0) this.append({ k: "held", pairs });
  }

  /** This process planned the replacement of resource `id` by a resource holding `target` (a pair or a roster id). */
  noteReplacing(id: string, target: string): void {
    this.append({ k: "replacing", id, target });
  }

  /** The create of a replacement holding `target` started in this process. */
  noteCreating(target: string): void {
    this.append({ k: "creating", target });
  }

  /**
   * What the other live processes of this deployment say about `pair` (`group/user`) and the
   * resource `id` being deleted here. Read at the delete, so every resource the program
   * registered has been checked, diffed and created by then (the engine runs deletes of
   * resources that left the program last); a process that has exited is not counted.
   */
  peerFacts(pair: string, id: string): PeerFacts {
    let declaredBy: Declarer | undefined;
    let held = false;
    let replacementPending = false;
    for (const other of this.readOthers()) {
      declaredBy ??= other.pairs.get(pair);
      held ||= other.held.has(pair);
      const target = other.replacing.get(id);
      replacementPending ||= target !== undefined && !other.creating.has(target);
    }
    return { ...(declaredBy ? { declaredBy } : {}), held, replacementPending };
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
      if (!entry) {
        entry = { offset: 0, pairs: new Map(), workspaces: new Map(), held: new Set(), replacing: new Map(), creating: new Set() };
        this.others.set(file, entry);
      }
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
        else if (claim.k === "workspace") entry.workspaces.set(claim.workspace, { providerUrn: claim.providerUrn, provider: claim.provider });
        else if (claim.k === "held") for (const p of claim.pairs) entry.held.add(p);
        else if (claim.k === "replacing") entry.replacing.set(claim.id, claim.target);
        else if (claim.k === "creating") entry.creating.add(claim.target);
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
