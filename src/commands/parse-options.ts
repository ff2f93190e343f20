/**
 * Command-line options for a subcommand: node:util's parseArgs, with its errors said in the
 * command's terms (which option is unknown, the nearest known one, and every option there is)
 * instead of Node's parser text about positional arguments.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "./usage";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** parseArgs(strict) for `command`; a mistake throws a UsageError (exit 2) that lists the options. */
export function parseCommandArgs<T extends Options>(command: string, argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, strict: true, options });
  } catch (e) {
    throw new UsageError(describeParseError(command, e as NodeJS.ErrnoException, options));
  }
}

function describeParseError(command: string, e: NodeJS.ErrnoException, options: Options): string {
  const names = Object.entries(options).map(([name, o]) => `--${name}${o.type === "string" ? " VALUE" : ""}`);
  const list = `the options of \`${command}\` are ${names.join(", ")}`;
  const option = /'(-{1,2}[^' ]+)/.exec(e.message)?.[1];
  if (e.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && option) {
    const near = nearest(option.replace(/^-+/, ""), Object.keys(options));
    return `unknown option ${option}${near ? ` (did you mean --${near}?)` : ""}; ${list}.`;
  }
  if (e.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && option) {
    const name = option.replace(/^-+/, "").split("=")[0]!;
    return options[name]?.type === "string" ? `${option.split("=")[0]} needs a value; ${list}.` : `${option.split("=")[0]} takes no value; ${list}.`;
  }
  return `${e.message.split("\n")[0]}; ${list}.`;
}

/** The known name within two edits of `name`, if exactly one is nearest. */
function nearest(name: string, known: string[]): string | undefined {
  const scored = known.map((k) => [k, distance(name, k)] as const).filter(([, d]) => d <= 2).sort((a, b) => a[1] - b[1]);
  return scored[0]?.[0];
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}
