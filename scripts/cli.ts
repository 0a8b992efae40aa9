/**
 * The command line of every npm script that takes flags: `node:util` parseArgs in strict mode, plus `--help`
 * and a one-line error (exit code 2) instead of a stack trace for an unknown flag or a bad value.
 *
 * @example
 * ```ts
 * const args = parseCli(process.argv.slice(2), {
 *   command: 'bench',
 *   usage: 'npm run bench [-- --quick] [--write]',
 *   options: { quick: { type: 'boolean', help: 'a CI-sized run' } },
 * });
 * if (args.quick) ...
 * ```
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

type OptionSpec = NonNullable<ParseArgsConfig['options']>[string] & {
  /** One line for `--help`. */
  help: string;
  /** Placeholder shown after a string flag in `--help`, e.g. `N` or `DIR`. */
  value?: string;
};

export interface CliSpec<O extends Record<string, OptionSpec>> {
  /** The command's name in error messages, e.g. `bench`. */
  command: string;
  /** The first line of `--help`: how the command is called. */
  usage: string;
  /** Extra lines after the flags in `--help`. */
  notes?: string[];
  options: O;
}

type Parsed<O extends Record<string, OptionSpec>> = {
  [K in keyof O]: O[K]['type'] extends 'boolean' ? boolean | undefined : string | undefined;
};

/** Thrown (and turned into a one-line message by {@link runCli}) for bad command lines. */
export class UsageError extends Error {}

/** Prints `<command>: <message> (see --help)` on stderr and exits with code 2. */
export function exitUsage(command: string, message: string): never {
  console.error(`${command}: ${message} (see --help)`);
  process.exit(2);
}

/** The `--help` text of `spec`. */
export function helpText(spec: CliSpec<Record<string, OptionSpec>>): string {
  const rows = Object.entries(spec.options).map(([name, o]) => [
    `--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`,
    o.help,
  ]);
  rows.push(['--help', 'print this help and exit']);
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return [
    `usage: ${spec.usage}`,
    '',
    ...rows.map(([flag, help]) => `  ${flag.padEnd(width)}  ${help}`),
    ...(spec.notes?.length ? ['', ...spec.notes] : []),
  ].join('\n');
}

/**
 * Parses `argv` against `spec`. Prints the help and exits 0 on `--help`; on an unknown flag, a missing value
 * or a positional argument, prints one line and exits 2 ({@link exitUsage}).
 */
export function parseCli<O extends Record<string, OptionSpec>>(argv: string[], spec: CliSpec<O>): Parsed<O> {
  const options: ParseArgsConfig['options'] = { help: { type: 'boolean' } };
  for (const [name, o] of Object.entries(spec.options)) {
    const { help: _help, value: _value, ...config } = o;
    options[name] = config;
  }
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false }));
  } catch (error) {
    if (!String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS')) throw error;
    // parseArgs's messages run to several sentences, some over several lines ("… is ambiguous.\nDid you …"); keep the first.
    exitUsage(spec.command, (error as Error).message.split(/\.\s/)[0].replace(/\.$/, ''));
  }
  if (values.help) {
    console.log(helpText(spec as CliSpec<Record<string, OptionSpec>>));
    process.exit(0);
  }
  return values as Parsed<O>;
}

/** A number flag's value, checked: `undefined` when the flag was not given. */
export function numberFlag(
  name: string,
  raw: string | undefined,
  check: (n: number) => boolean = Number.isFinite,
  expected = 'a number',
): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !check(n)) throw new UsageError(`--${name} must be ${expected}, but got '${raw}'`);
  return n;
}

/**
 * Runs a command's `main` and turns a {@link UsageError} into `<command>: <message> (see --help)` on stderr
 * with exit code 2; any other error keeps its stack (that is a bug worth seeing) and exit code 1.
 */
export async function runCli(command: string, main: () => Promise<void> | void): Promise<void> {
  try {
    await main();
  } catch (error) {
    if (error instanceof UsageError) exitUsage(command, error.message);
    console.error(error);
    process.exitCode = 1;
  }
}
