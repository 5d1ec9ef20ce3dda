import pino, { type DestinationStream, type Level, type Logger } from 'pino';
import type { Configuration } from '../../config';

/**
 * Field names whose values are never written, at any of the first three levels of a log object:
 * credentials, codes, tokens, secrets, and the headers that carry them. A value logged by
 * mistake under one of these names comes out as `[REDACTED]`.
 */
export const SECRET_FIELDS = [
  'password',
  'newPassword',
  'previousPassword',
  'proposedPassword',
  'currentPassword',
  'code',
  'confirmationCode',
  'accessToken',
  'idToken',
  'refreshToken',
  'token',
  'session',
  'secret',
  'secretCode',
  'clientSecret',
  'secretHash',
  'SecretHash',
  'SECRET_HASH',
  'authorization',
  'cookie',
  'set-cookie',
  'x-xsrf-token',
  'x-csrf-token',
] as const;

function pathsOf(field: string): string[] {
  const key = /^[A-Za-z_$][\w$]*$/.test(field) ? field : `["${field}"]`;
  const nested = key.startsWith('[') ? key : `.${key}`;
  return [key, `*${nested}`, `*.*${nested}`];
}

export const REDACT_PATHS = SECRET_FIELDS.flatMap(pathsOf);

const PINO_LEVELS: Record<Configuration['app']['logLevel'], Level> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

/**
 * The process's one logger: JSON lines (pino), ISO timestamps, level names, secrets redacted.
 * JSON keeps every user-controlled string inside one quoted field, so a CR or LF in input cannot
 * start a forged line. Fastify and Nest both write through it.
 */
export function createRootLogger(
  level: Configuration['app']['logLevel'],
  destination: DestinationStream = pino.destination(1),
): Logger {
  return pino(
    {
      level: PINO_LEVELS[level],
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      base: { pid: process.pid },
    },
    destination,
  );
}
