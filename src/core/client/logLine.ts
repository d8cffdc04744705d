/**
 * The log lines of the notes' client, which used Python's `logging` with the format
 * `%(levelname)s:%(asctime)s:%(message)s`: `INFO:2025-03-26 17:34:15,783:conn0 connected...`.
 * asctime is local time with a comma before the milliseconds; Elapsed is Python's repr of a float.
 */

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `2025-03-26 17:34:15,783` in local time, as Python's logging writes asctime. */
export function pythonAsctime(at: Date): string {
  return (
    `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ` +
    `${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())},${pad(at.getMilliseconds(), 3)}`
  );
}

export type LogLevel = 'INFO' | 'ERROR';

export function logLine(level: LogLevel, at: Date, message: string): string {
  return `${level}:${pythonAsctime(at)}:${message}`;
}

/**
 * `Elapsed: 2.2252049446105957`. JavaScript's shortest round-trip number printing matches Python's
 * float repr for the values this can take (positive, well inside the fixed-notation range), except
 * that Python always shows a fractional part.
 */
export function elapsedLine(seconds: number): string {
  const text = String(seconds);
  return `Elapsed: ${Number.isInteger(seconds) ? `${text}.0` : text}`;
}
