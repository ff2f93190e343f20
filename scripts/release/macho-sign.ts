/**
 * An ad-hoc code signature for a 64-bit Mach-O executable, written in-process: what `codesign --sign -` and
 * `ldid -S` write. Apple silicon refuses to start an arm64 executable without a valid signature (pulumi-awsx
 * #850), and injecting the SEA blob removes the signature Node's build carried (postject's LIEF drops the
 * LC_CODE_SIGNATURE command). An ad-hoc signature is only hashes: no certificate, no identity, so any
 * machine can make it; Gatekeeper still treats a downloaded file as unidentified (Pulumi's download sets no
 * quarantine attribute, so the engine's install is not affected).
 *
 * Layout (Apple's cs_blobs.h, big-endian): a SuperBlob (0xfade0cc0) holding a CodeDirectory (0xfade0c02,
 * version 0x20400, SHA-256 over every 4 KiB page of the file before the signature, flag CS_ADHOC, the main
 * binary's executable segment), an empty requirement set (0xfade0c01) and an empty CMS wrapper (0xfade0b01),
 * placed at the end of __LINKEDIT and named by an LC_CODE_SIGNATURE load command.
 */
import crypto from "node:crypto";

const MH_MAGIC_64 = 0xfeedfacf;
const MH_EXECUTE = 2;
const LC_SEGMENT_64 = 0x19;
const LC_CODE_SIGNATURE = 0x1d;
const pageShift = 12;
const pageSize = 1 << pageShift;

interface Segment {
  /** Offset of the load command in the file. */
  readonly cmdOffset: number;
  readonly name: string;
  readonly fileoff: number;
  readonly filesize: number;
}

interface Parsed {
  readonly ncmds: number;
  readonly sizeofcmds: number;
  readonly filetype: number;
  readonly segments: Segment[];
  /** Offset of an existing LC_CODE_SIGNATURE command, and its data offset. */
  readonly codeSignature?: { cmdOffset: number; dataoff: number };
  /** The lowest file offset of any section's content: load commands must end before it. */
  readonly firstSectionOffset: number;
}

function parse(file: Buffer): Parsed {
  if (file.readUInt32LE(0) !== MH_MAGIC_64) throw new Error("not a 64-bit little-endian Mach-O file");
  const filetype = file.readUInt32LE(12);
  const ncmds = file.readUInt32LE(16);
  const sizeofcmds = file.readUInt32LE(20);
  const segments: Segment[] = [];
  let codeSignature: Parsed["codeSignature"];
  let firstSectionOffset = file.length;
  let off = 32;
  for (let i = 0; i < ncmds; i++) {
    const cmd = file.readUInt32LE(off);
    const cmdsize = file.readUInt32LE(off + 4);
    if (cmd === LC_SEGMENT_64) {
      const name = file.subarray(off + 8, off + 24).toString("latin1").replace(/\0+$/, "");
      const fileoff = Number(file.readBigUInt64LE(off + 40));
      const filesize = Number(file.readBigUInt64LE(off + 48));
      segments.push({ cmdOffset: off, name, fileoff, filesize });
      const nsects = file.readUInt32LE(off + 64);
      for (let s = 0; s < nsects; s++) {
        const sect = off + 72 + s * 80;
        const offset = file.readUInt32LE(sect + 48);
        const flags = file.readUInt32LE(sect + 64);
        const zerofill = (flags & 0xff) === 0x1 || (flags & 0xff) === 0xc || (flags & 0xff) === 0x12;
        if (offset > 0 && !zerofill) firstSectionOffset = Math.min(firstSectionOffset, offset);
      }
    } else if (cmd === LC_CODE_SIGNATURE) {
      codeSignature = { cmdOffset: off, dataoff: file.readUInt32LE(off + 8) };
    }
    off += cmdsize;
  }
  return { ncmds, sizeofcmds, filetype, segments, codeSignature, firstSectionOffset };
}

function blob(magic: number, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(magic, 0);
  head.writeUInt32BE(8 + body.length, 4);
  return Buffer.concat([head, body]);
}

const align = (n: number, to: number) => Math.ceil(n / to) * to;

/** The signature's size for a file whose code ends at `codeLimit`: known before hashing, so the header can name it. */
function signatureSize(codeLimit: number, identifier: string): number {
  const nCodeSlots = Math.ceil(codeLimit / pageSize);
  const codeDirectory = 88 + Buffer.byteLength(identifier) + 1 + 2 * 32 + nCodeSlots * 32;
  return align(12 + 3 * 8 + codeDirectory + 12 + 8, 16);
}

/**
 * Returns `file` (a thin 64-bit Mach-O executable) with an ad-hoc signature under `identifier`, replacing any
 * signature it has. Throws when the file is not such an executable, when __LINKEDIT is not its last segment,
 * or when its header has no room for the load command.
 */
export function adhocSignMachO(input: Buffer, identifier: string): Buffer {
  const parsed = parse(input);
  if (parsed.filetype !== MH_EXECUTE) throw new Error("not a Mach-O executable (MH_EXECUTE)");
  const linkedit = parsed.segments.find((s) => s.name === "__LINKEDIT");
  const text = parsed.segments.find((s) => s.name === "__TEXT");
  if (!linkedit || !text) throw new Error("no __LINKEDIT or __TEXT segment");
  if (parsed.segments.some((s) => s.fileoff > linkedit.fileoff)) throw new Error("__LINKEDIT is not the last segment");

  // The code ends where the old signature began, or at the end of __LINKEDIT; the signature starts 16-aligned there.
  const codeEnd = parsed.codeSignature ? parsed.codeSignature.dataoff : linkedit.fileoff + linkedit.filesize;
  const dataoff = align(codeEnd, 16);
  const datasize = signatureSize(dataoff, identifier);
  const file = Buffer.alloc(dataoff + datasize);
  input.copy(file, 0, 0, Math.min(codeEnd, input.length));

  // The load command: the existing one rewritten, or a new one after the others.
  let cmdOffset = parsed.codeSignature?.cmdOffset;
  if (cmdOffset === undefined) {
    cmdOffset = 32 + parsed.sizeofcmds;
    if (cmdOffset + 16 > parsed.firstSectionOffset) throw new Error("no room in the Mach-O header for LC_CODE_SIGNATURE");
    file.writeUInt32LE(parsed.ncmds + 1, 16);
    file.writeUInt32LE(parsed.sizeofcmds + 16, 20);
    file.writeUInt32LE(LC_CODE_SIGNATURE, cmdOffset);
    file.writeUInt32LE(16, cmdOffset + 4);
  }
  file.writeUInt32LE(dataoff, cmdOffset + 8);
  file.writeUInt32LE(datasize, cmdOffset + 12);
  // __LINKEDIT now ends with the signature: its file size, and its memory size rounded to 16 KiB pages.
  const linkeditSize = dataoff + datasize - linkedit.fileoff;
  file.writeBigUInt64LE(BigInt(linkeditSize), linkedit.cmdOffset + 48);
  const vmsize = Number(input.readBigUInt64LE(linkedit.cmdOffset + 32));
  file.writeBigUInt64LE(BigInt(Math.max(vmsize, align(linkeditSize, 0x4000))), linkedit.cmdOffset + 32);

  // Hash the file as it now is, up to the signature.
  const requirements = blob(0xfade0c01, Buffer.from([0, 0, 0, 0]));
  const sha256 = (b: Buffer) => crypto.createHash("sha256").update(b).digest();
  const nCodeSlots = Math.ceil(dataoff / pageSize);
  const ident = Buffer.from(`${identifier}\0`, "utf8");
  const special = Buffer.concat([sha256(requirements), Buffer.alloc(32)]); // slot -2 (requirements), slot -1 (Info.plist: none)
  const hashes = Buffer.alloc(nCodeSlots * 32);
  for (let i = 0; i < nCodeSlots; i++) sha256(file.subarray(i * pageSize, Math.min((i + 1) * pageSize, dataoff))).copy(hashes, i * 32);
  const head = Buffer.alloc(88 - 8);
  let o = 0;
  const u32 = (v: number) => (head.writeUInt32BE(v, o), (o += 4));
  const u8 = (v: number) => (head.writeUInt8(v, o), (o += 1));
  const u64 = (v: number) => (head.writeBigUInt64BE(BigInt(v), o), (o += 8));
  u32(0x20400); // version: with the executable segment fields
  u32(0x2); // flags: CS_ADHOC
  u32(88 + ident.length + special.length); // hashOffset: code slot 0
  u32(88); // identOffset
  u32(2); // nSpecialSlots
  u32(nCodeSlots);
  u32(dataoff); // codeLimit
  u8(32); // hashSize
  u8(2); // hashType: SHA-256
  u8(0); // platform
  u8(pageShift);
  u32(0); // spare2
  u32(0); // scatterOffset
  u32(0); // teamOffset
  u32(0); // spare3
  u64(0); // codeLimit64 (codeLimit fits 32 bits)
  u64(text.fileoff); // execSegBase
  u64(text.filesize); // execSegLimit
  u64(0x1); // execSegFlags: CS_EXECSEG_MAIN_BINARY
  const codeDirectory = blob(0xfade0c02, Buffer.concat([head, ident, special, hashes]));
  const cms = blob(0xfade0b01, Buffer.alloc(0));
  const entries: [number, Buffer][] = [
    [0, codeDirectory], // CSSLOT_CODEDIRECTORY
    [2, requirements], // CSSLOT_REQUIREMENTS
    [0x10000, cms], // CSSLOT_SIGNATURESLOT
  ];
  const index = Buffer.alloc(entries.length * 8);
  let at = 12 + index.length;
  entries.forEach(([type, b], i) => {
    index.writeUInt32BE(type, i * 8);
    index.writeUInt32BE(at, i * 8 + 4);
    at += b.length;
  });
  const superHead = Buffer.alloc(12);
  superHead.writeUInt32BE(0xfade0cc0, 0);
  superHead.writeUInt32BE(at, 4);
  superHead.writeUInt32BE(entries.length, 8);
  const signature = Buffer.concat([superHead, index, ...entries.map(([, b]) => b)]);
  if (signature.length > datasize) throw new Error("internal: signature larger than reserved");
  signature.copy(file, dataoff);
  return file;
}
