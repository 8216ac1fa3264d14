/**
 * The server's log: one line per event, on stderr (stdout may be the protocol
 * channel). Lines name functions and CKR codes, never arguments: no PIN, key
 * or attribute value is ever logged.
 */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];

export interface Logger {
  readonly level: LogLevel;
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
  enabled(level: LogLevel): boolean;
}

export function isLogLevel(v: unknown): v is LogLevel {
  return typeof v === 'string' && (LOG_LEVELS as readonly string[]).includes(v);
}

export function createLogger(
  level: LogLevel = 'info',
  write: (line: string) => void = (line) => void process.stderr.write(line + '\n'),
  prefix = 'cryptoki serve',
): Logger {
  const rank = LOG_LEVELS.indexOf(level);
  const enabled = (l: LogLevel) => LOG_LEVELS.indexOf(l) <= rank;
  const at = (l: LogLevel) => (message: string) => {
    if (enabled(l)) write(`${prefix}: ${l === 'info' ? '' : l + ': '}${message}`);
  };
  return { level, error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug'), enabled };
}

/** A logger that drops everything (tests). */
export const silentLogger: Logger = createLogger('error', () => {});
