/**
 * The rendezvous of one deployment's provider processes (src/provider/declarers.ts), with two
 * instances standing in for two processes (each its own pid, one directory), and files left by
 * processes that have exited.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DeclarerRendezvous, engineAddressOf } from "../src/provider/declarers";

const pair = { acsUserId: "acs_user1", acsAccessGroupId: "acs_access_group1" };
const who = (name: string, provider = "the default seam provider") => ({ resource: `urn:${name}`, label: `AccessGroupMembership "${name}"`, provider });
/** A pid no process has: above Linux's pid_max. */
const deadPid = 4_194_304 + 7;

function deployment(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), "declarers-")), "127.0.0.1_4000");
}

test("the engine address is the last argument, host:port; anything else is no address", () => {
  expect(engineAddressOf(["127.0.0.1:4321"])).toBe("127.0.0.1:4321");
  expect(engineAddressOf(["--logtostderr", "-v=9", "127.0.0.1:4321"])).toBe("127.0.0.1:4321");
  expect(engineAddressOf(["test/x.test.ts", "--runInBand"])).toBeUndefined();
  expect(engineAddressOf([])).toBeUndefined();
});

test("a pair claimed in two processes of one deployment: the later claim is refused, naming both", () => {
  const dir = deployment();
  const a = new DeclarerRendezvous(dir, process.pid);
  const b = new DeclarerRendezvous(dir, process.ppid);
  expect(a.claimPair(pair, who("here"))).toBeUndefined();
  expect(a.claimPair(pair, who("here"))).toBeUndefined();
  expect(b.claimPair(pair, who("there", 'provider "site-b"'))).toBe(
    'acs_user_id acs_user1 in acs_access_group_id acs_access_group1 is declared twice: by AccessGroupMembership "here" (through the default seam provider) and by ' +
      'AccessGroupMembership "there" (through provider "site-b"). A pair may be declared by one resource only, so that removing one declaration always ' +
      "means removing the access. Keep one of them (to move a pair between resources, declare it in the new place and drop it from the old in the same change).",
  );
  // Within one process too.
  expect(a.claimPair(pair, who("again"))).toContain('by AccessGroupMembership "here" (through the default seam provider) and by AccessGroupMembership "again"');
});

test("one workspace for two provider instances is refused, naming both; another workspace is not", () => {
  const dir = deployment();
  const a = new DeclarerRendezvous(dir, process.pid);
  const b = new DeclarerRendezvous(dir, process.ppid);
  expect(a.claimWorkspace("ws1", "urn:a", 'provider "a"')).toBeUndefined();
  expect(b.claimWorkspace("ws2", "urn:b", 'provider "b"')).toBeUndefined();
  expect(b.claimWorkspace("ws1", "urn:b", 'provider "b"')).toContain('Seam workspace ws1 is served by two seam provider instances in this deployment: provider "a" and provider "b"');
  // The same instance again (e.g. the preview's and the update's process of one provider URN) is no conflict.
  expect(new DeclarerRendezvous(dir, process.ppid).claimWorkspace("ws2", "urn:b", 'provider "b"')).toBeUndefined();
});

test("claims of processes that have exited are ignored and their files removed, here and in other deployments' directories", () => {
  const dir = deployment();
  fs.mkdirSync(dir, { recursive: true });
  const stale = path.join(dir, `${deadPid}.jsonl`);
  fs.writeFileSync(stale, JSON.stringify({ k: "pair", pair: "acs_access_group1/acs_user1", resource: "urn:old", label: "old", provider: "old" }) + "\n");
  const elsewhere = path.join(path.dirname(dir), "127.0.0.1_5000");
  fs.mkdirSync(elsewhere);
  fs.writeFileSync(path.join(elsewhere, `${deadPid}.jsonl`), "");
  const live = new DeclarerRendezvous(dir, process.pid);
  expect(fs.existsSync(elsewhere)).toBe(false);
  fs.writeFileSync(stale, JSON.stringify({ k: "pair", pair: "acs_access_group1/acs_user1", resource: "urn:old", label: "old", provider: "old" }) + "\n");
  expect(live.claimPair(pair, who("new"))).toBeUndefined();
  expect(fs.existsSync(stale)).toBe(false);
});

test("a line still being written is read once it is whole", () => {
  const dir = deployment();
  const a = new DeclarerRendezvous(dir, process.pid);
  const other = path.join(dir, `${process.ppid}.jsonl`);
  const line = JSON.stringify({ k: "pair", pair: "acs_access_group1/acs_user1", resource: "urn:b", label: "B", provider: "p" });
  fs.writeFileSync(other, line.slice(0, 20));
  expect(a.claimPair({ acsUserId: "acs_user9", acsAccessGroupId: "acs_access_group9" }, who("x"))).toBeUndefined();
  fs.appendFileSync(other, line.slice(20) + "\n");
  expect(a.claimPair(pair, who("here"))).toContain("by B (through p) and by AccessGroupMembership \"here\"");
});
