import { pino, type Logger } from 'pino';

/**
 * Keys whose values are never logged, wherever they appear. Carefed logs ids,
 * codes and timings; a value under one of these names is PHI or a secret.
 */
export const REDACTED_KEYS = [
  'name',
  'family',
  'given',
  'birthDate',
  'telecom',
  'address',
  'mrn',
  'identifier',
  'identifiers',
  'reason',
  'variables',
  'query',
  'authorization',
  'password',
  'token',
  'secret',
] as const;

// Top-level `name` is pino's own logger name; below the top level it is redacted like the rest.
const paths: string[] = [
  ...REDACTED_KEYS.filter((k) => k !== 'name'),
  ...REDACTED_KEYS.flatMap((k) => [`*.${k}`, `*.*.${k}`]),
  'req.headers.authorization',
  'req.headers["x-carefed-internal"]',
];

/** A structured logger whose output passes through PHI redaction. */
export function createLogger(opts: {
  level?: string;
  name: string;
  destination?: NodeJS.WritableStream;
}): Logger {
  return pino(
    {
      name: opts.name,
      level: opts.level ?? 'info',
      redact: { paths, censor: '[redacted]' },
      base: { service: opts.name },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    opts.destination ?? process.stdout,
  );
}

export type { Logger };
