import type { ParseArgsConfig } from 'node:util';
import { AgoraError, ErrorCode, isLowerHex } from '../core/index.js';
import type { CliIo } from './io.js';

/** Parsed option values as `node:util` parseArgs returns them. */
export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** One `agora` subcommand. */
export interface Command {
  /** Words that select it, e.g. `ledger export`. */
  readonly name: string;
  readonly summary: string;
  /** Usage line after `agora <name>`, e.g. `[FILE] [--json]`. */
  readonly usage: string;
  /** Option descriptions for --help, in display order. */
  readonly help: readonly (readonly [flag: string, description: string])[];
  readonly options: NonNullable<ParseArgsConfig['options']>;
  /** Command lines to copy, shown under `examples:` in its help; at least one. */
  readonly examples: readonly string[];
  /** How many positional arguments it takes. */
  readonly positionals?: { min: number; max: number };
  run(context: CommandContext): Promise<void>;
}

/** What a running command gets. */
export interface CommandContext {
  readonly io: CliIo;
  readonly values: OptionValues;
  readonly positionals: string[];
  /** The agora home directory: --home, else AGORA_HOME, else ~/.agora402. */
  readonly home: string;
}

/** A positional id (agent, proposal): 32 bytes of lower-case hex, else `INVALID_ARGUMENT` naming what it is. */
export function idArgument(value: string | undefined, what: string): string {
  if (!isLowerHex(value, 32))
    throw new AgoraError(ErrorCode.InvalidArgument, `${what} id is 32 bytes of lower-case hex`);
  return value;
}

/** A string option, else the environment variable that stands for it; undefined when neither is set (or empty). */
export function optionOrEnv(
  values: OptionValues,
  env: Readonly<Record<string, string | undefined>>,
  option: string,
  variable: string,
): string | undefined {
  const value = values[option] ?? env[variable];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * A whole-number option (`--n 10`), or `fallback` when absent: `USAGE` for a negative number, a number above `max`
 * (default the largest exact integer: "out of range") or anything that is not digits.
 */
export function wholeNumber(
  value: unknown,
  flag: string,
  fallback: number,
  max: number = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^-?\d+$/.test(value.trim()))
    throw new AgoraError(ErrorCode.Usage, `${flag} takes a whole number, not ${JSON.stringify(value)}`);
  const text = value.trim();
  if (text.startsWith('-'))
    throw new AgoraError(ErrorCode.Usage, `${flag} takes a whole number of 0 or more`);
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n > max)
    throw new AgoraError(ErrorCode.Usage, `${flag} ${text} is out of range (at most ${max})`);
  return n;
}
