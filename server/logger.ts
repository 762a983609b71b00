import pino, { type Logger } from 'pino';
import type { Config } from './config';

// One JSON logger to stdout. Secrets never reach the log: cookies, the
// authorization header and anything called password are redacted wherever
// they appear in a logged object (Fastify request logs, request bodies).

export const REDACTED_PATHS = [
  'req.headers.cookie',
  'req.headers.authorization',
  'request.headers.cookie',
  'headers.cookie',
  'res.headers["set-cookie"]',
  'password',
  '*.password',
  'body.password',
  'req.body.password',
  'token',
  '*.token',
];

export function createLogger(config: Pick<Config, 'LOG_LEVEL'>): Logger {
  return pino({
    level: config.LOG_LEVEL,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  });
}

export type { Logger };
