/**
 * Reads what kind of executable a file is from its headers, as the loader of each operating system would:
 * ELF (Linux), Mach-O (macOS) or PE (Windows), and the processor it is built for. Also checks a Mach-O's
 * code signature: that it is ad hoc and that its page hashes match the file (what macOS verifies at start).
 */
import crypto from "node:crypto";

export interface ExecutableKind {
  readonly format: "ELF" | "Mach-O" | "PE";
  /** GOARCH spelling: amd64, arm64. */
  readonly arch: "amd64" | "arm64";
}

/** The executable's format and architecture. Throws when the file is none of the three, or for another processor. */
export function executableKind(file: Buffer): ExecutableKind {
  if (file.subarray(0, 4).equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]))) {
    // e_ident[EI_CLASS] 2 = 64-bit, [EI_DATA] 1 = little-endian; e_type 2 = executable (EXEC) or 3 (DYN, PIE); e_machine at 18.
    if (file[4] !== 2 || file[5] !== 1) throw new Error("ELF but not 64-bit little-endian");
    const machine = file.readUInt16LE(18);
    const arch = ({ 0x3e: "amd64", 0xb7: "arm64" } as const)[machine];
    if (!arch) throw new Error(`ELF for machine 0x${machine.toString(16)}`);
    return { format: "ELF", arch };
  }
  if (file.readUInt32LE(0) === 0xfeedfacf) {
    const cpu = file.readUInt32LE(4);
    const arch = ({ 0x01000007: "amd64", 0x0100000c: "arm64" } as const)[cpu];
    if (!arch) throw new Error(`Mach-O for cpu type 0x${cpu.toString(16)}`);
    if (file.readUInt32LE(12) !== 2) throw new Error("Mach-O but not an executable (MH_EXECUTE)");
    return { format: "Mach-O", arch };
  }
  if (file.subarray(0, 2).toString("latin1") === "MZ") {
    const pe = file.readUInt32LE(0x3c);
    if (file.subarray(pe, pe + 4).toString("latin1") !== "PE\0\0") throw new Error("MZ without a PE header");
    const machine = file.readUInt16LE(pe + 4);
    const arch = ({ 0x8664: "amd64", 0xaa64: "arm64" } as const)[machine];
    if (!arch) throw new Error(`PE for machine 0x${machine.toString(16)}`);
    // The optional header's magic 0x20b is PE32+ (64-bit); Subsystem 3 is a console program.
    if (file.readUInt16LE(pe + 24) !== 0x20b) throw new Error("PE but not PE32+");
    if (file.readUInt16LE(pe + 24 + 68) !== 3) throw new Error("PE but not a console program");
    return { format: "PE", arch };
  }
  throw new Error("neither ELF, Mach-O nor PE");
}

export interface MachOSignature {
  readonly adhoc: boolean;
  readonly identifier: string;
  /** Pages whose hash in the CodeDirectory matches the file. */
  readonly pagesChecked: number;
  /** The first page whose hash does not match, if any. */
  readonly mismatch?: number;
  /** The code limit the signature covers, and where the signature starts: they must be equal. */
  readonly codeLimit: number;
  readonly signatureOffset: number;
  /** The end of the last segment (__LINKEDIT) in the file, and the file's length: equal for a loadable file. */
  readonly linkeditEnd: number;
  readonly fileLength: number;
}

/** Reads a 64-bit Mach-O executable's code signature and checks every page hash. Throws when it has none. */
export function machOSignature(file: Buffer): MachOSignature {
  const ncmds = file.readUInt32LE(16);
  let off = 32;
  let sig: { dataoff: number; datasize: number } | undefined;
  let linkeditEnd = 0;
  for (let i = 0; i < ncmds; i++) {
    const cmd = file.readUInt32LE(off);
    if (cmd === 0x1d) sig = { dataoff: file.readUInt32LE(off + 8), datasize: file.readUInt32LE(off + 12) };
    if (cmd === 0x19 && file.subarray(off + 8, off + 24).toString("latin1").startsWith("__LINKEDIT\0")) {
      linkeditEnd = Number(file.readBigUInt64LE(off + 40) + file.readBigUInt64LE(off + 48));
    }
    off += file.readUInt32LE(off + 4);
  }
  if (!sig) throw new Error("no LC_CODE_SIGNATURE");
  const sb = sig.dataoff;
  if (file.readUInt32BE(sb) !== 0xfade0cc0) throw new Error("code signature is not a SuperBlob");
  const count = file.readUInt32BE(sb + 8);
  let cd: number | undefined;
  for (let i = 0; i < count; i++) if (file.readUInt32BE(sb + 12 + i * 8) === 0) cd = sb + file.readUInt32BE(sb + 16 + i * 8);
  if (cd === undefined || file.readUInt32BE(cd) !== 0xfade0c02) throw new Error("no CodeDirectory");
  const flags = file.readUInt32BE(cd + 12);
  const hashOffset = file.readUInt32BE(cd + 16);
  const identOffset = file.readUInt32BE(cd + 20);
  const nCodeSlots = file.readUInt32BE(cd + 28);
  const codeLimit = file.readUInt32BE(cd + 32);
  const hashSize = file[cd + 36]!;
  const hashType = file[cd + 37]!;
  const pageSize = 1 << file[cd + 39]!;
  if (hashType !== 2 || hashSize !== 32) throw new Error(`hash type ${hashType} size ${hashSize}, expected SHA-256`);
  const identEnd = file.indexOf(0, cd + identOffset);
  const identifier = file.subarray(cd + identOffset, identEnd).toString("utf8");
  let mismatch: number | undefined;
  for (let p = 0; p < nCodeSlots && mismatch === undefined; p++) {
    const page = file.subarray(p * pageSize, Math.min((p + 1) * pageSize, codeLimit));
    const want = file.subarray(cd + hashOffset + p * 32, cd + hashOffset + (p + 1) * 32);
    if (!crypto.createHash("sha256").update(page).digest().equals(want)) mismatch = p;
  }
  return {
    adhoc: (flags & 0x2) !== 0,
    identifier,
    pagesChecked: nCodeSlots,
    mismatch,
    codeLimit,
    signatureOffset: sig.dataoff,
    linkeditEnd,
    fileLength: file.length,
  };
}
