/**
 * Structured logs: one JSON object per line, for the log pipeline to index. Fields are chosen by
 * the caller and must never carry personal data (no emails, names, addresses, customer ids —
 * shops' domains and our own ids are fine). Errors are reduced to their name and message.
 */
type Level = "debug" | "info" | "warn" | "error";
type Fields = Record<string, unknown>;

const LEVELS: Record<Level, number> = {
  debug: 10,
  info: 20,
  warn: 30,
  error: 40,
};

function threshold(): number {
  const configured = process.env.LOG_LEVEL as Level | undefined;
  if (configured && configured in LEVELS) return LEVELS[configured];
  return process.env.NODE_ENV === "test" ? LEVELS.error + 1 : LEVELS.info;
}

function serialise(value: unknown): unknown {
  if (value instanceof Error)
    return { name: value.name, message: value.message };
  return value;
}

export function formatLine(
  level: Level,
  message: string,
  fields: Fields,
  now = new Date(),
): string {
  const entry: Fields = { time: now.toISOString(), level, msg: message };
  for (const [key, value] of Object.entries(fields))
    entry[key] = serialise(value);
  return JSON.stringify(entry);
}

function write(level: Level, message: string, fields: Fields = {}) {
  if (LEVELS[level] < threshold()) return;
  const line = formatLine(level, message, fields);
  if (level === "error" || level === "warn") process.stderr.write(`${line}\n`);
  else process.stdout.write(`${line}\n`);
}

export const log = {
  debug: (message: string, fields?: Fields) => write("debug", message, fields),
  info: (message: string, fields?: Fields) => write("info", message, fields),
  warn: (message: string, fields?: Fields) => write("warn", message, fields),
  error: (message: string, fields?: Fields) => write("error", message, fields),
};
