/**
 * Argument parsing for the command line on top of node:util parseArgs, turning every mistake
 * into a UsageError (the entry point prints it with the command's usage and exits 2, never a
 * stack trace), and strict number parsing ("10k", "1e3", "-1" and "" are all rejected).
 */
import { parseArgs } from 'node:util';

export class UsageError extends Error {
  override readonly name = 'UsageError';
  /** The command whose usage should be shown (undefined: the overview). */
  constructor(message: string, readonly command?: string) {
    super(message);
  }
}

export type OptionSpec = Readonly<Record<string, { readonly type: 'string' | 'boolean'; readonly short?: string }>>;

export interface Parsed {
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  readonly positionals: readonly string[];
  /** Everything after a bare `--` (handed to the stage as its own flags). */
  readonly passthrough: readonly string[];
}

export function parseCommand(command: string, argv: readonly string[], options: OptionSpec, positionals: { min: number; max: number }): Parsed {
  const dashDash = argv.indexOf('--');
  const own = dashDash >= 0 ? argv.slice(0, dashDash) : argv;
  const passthrough = dashDash >= 0 ? argv.slice(dashDash + 1) : [];
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    const { values, positionals: given } = parseArgs({ args: [...own], options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    parsed = { values, positionals: given };
  } catch (err) {
    // parseArgs explains at length; its first sentence is what the user needs.
    const message = err instanceof Error ? err.message.split(/\.\s/)[0].replace(/\.$/, '') : String(err);
    throw new UsageError(message, command);
  }
  if (parsed.values.help) return { values: parsed.values, positionals: parsed.positionals, passthrough };
  const n = parsed.positionals.length;
  if (n < positionals.min) throw new UsageError(`missing argument${positionals.min - n > 1 ? 's' : ''}`, command);
  if (n > positionals.max) throw new UsageError(`unexpected argument '${parsed.positionals[positionals.max]}'`, command);
  return { values: parsed.values, positionals: parsed.positionals, passthrough };
}

export function stringValue(parsed: Parsed, name: string): string | undefined {
  const v = parsed.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function flag(parsed: Parsed, name: string): boolean {
  return parsed.values[name] === true;
}

/** A whole number in [min, max]: digits only, optionally with _ between them (10_000). */
export function parseInteger(command: string, name: string, text: string, min: number, max: number): number {
  const clean = /^\d+(_\d+)*$/.test(text) ? text.replace(/_/g, '') : text;
  if (!/^\d+$/.test(clean)) throw new UsageError(`--${name} must be a whole number, got '${text}'`, command);
  const value = Number(clean);
  if (value < min || value > max) throw new UsageError(`--${name} must be from ${min} to ${max}, got ${text}`, command);
  return value;
}

/** A positive decimal number (durations, rates). */
export function parsePositive(command: string, name: string, text: string, max: number): number {
  if (!/^\d+(\.\d+)?$/.test(text)) throw new UsageError(`--${name} must be a positive number, got '${text}'`, command);
  const value = Number(text);
  if (value <= 0 || value > max) throw new UsageError(`--${name} must be above 0 and at most ${max}, got ${text}`, command);
  return value;
}

/** `1,10,100` (or a single number): each a whole number in [min, max]. */
export function parseIntegerList(command: string, name: string, text: string, min: number, max: number): number[] {
  const parts = text.split(/[,\s]+/).filter((p) => p !== '');
  if (parts.length === 0) throw new UsageError(`--${name} needs at least one number`, command);
  return parts.map((p) => parseInteger(command, name, p, min, max));
}

export function optionalInteger(parsed: Parsed, command: string, name: string, min: number, max: number): number | undefined {
  const text = stringValue(parsed, name);
  return text === undefined ? undefined : parseInteger(command, name, text, min, max);
}
