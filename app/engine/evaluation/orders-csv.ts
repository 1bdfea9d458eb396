import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { StringDecoder } from "node:string_decoder";
import { createGunzip } from "node:zlib";
import type { Readable } from "node:stream";

/**
 * Reader for order exports in the UCI Online Retail layout (one row per line item):
 * order_id,created_at,customer_id,country,sku,product_title,quantity,unit_price
 * Plain or gzip (detected by magic bytes, not by file name), RFC 4180 quoting.
 */

export const REQUIRED_COLUMNS = [
  "order_id",
  "created_at",
  "customer_id",
  "sku",
  "quantity",
  "unit_price",
] as const;

export type OrdersCsvErrorCode =
  | "FILE_NOT_FOUND"
  | "NOT_A_FILE"
  | "EMPTY_FILE"
  | "MISSING_COLUMN"
  | "READ_ERROR";

export class OrdersCsvError extends Error {
  constructor(
    readonly code: OrdersCsvErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "OrdersCsvError";
  }
}

export interface CsvRecord {
  /** 1-based physical line where the record starts (the header is line 1). */
  line: number;
  fields: string[];
}

export interface BadRow {
  line: number;
  reason: string;
}

/** One order: the model only needs the distinct SKUs, in first-seen order. */
export interface CsvOrder {
  id: string;
  createdAt: string;
  customerId?: string;
  country: string;
  items: string[];
  /** Unit price of each item's first line, in minor units, aligned with `items`. */
  prices: number[];
}

export interface OrdersCsvResult {
  orders: CsvOrder[];
  /** Latest title seen per SKU (before `describeBefore`), for output and the catalog. */
  titles: Map<string, string>;
  /** Latest unit price seen per SKU (before `describeBefore`), in minor units. */
  unitPrices: Map<string, number>;
  rows: number;
  badRowCount: number;
  /** The first `maxBadRowDetails` bad rows, with line numbers. */
  badRows: BadRow[];
}

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

async function openStream(path: string): Promise<Readable> {
  let handle;
  try {
    handle = await open(path, "r");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") {
      throw new OrdersCsvError(
        "FILE_NOT_FOUND",
        `orders file not found: ${path}`,
      );
    }
    if (code === "EISDIR") {
      throw new OrdersCsvError(
        "NOT_A_FILE",
        `orders path is a directory: ${path}`,
      );
    }
    throw new OrdersCsvError(
      "READ_ERROR",
      `cannot open ${path}: ${String(error)}`,
    );
  }
  let gzip = false;
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) {
      throw new OrdersCsvError(
        "NOT_A_FILE",
        `orders path is not a file: ${path}`,
      );
    }
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    gzip =
      bytesRead === 2 && head[0] === GZIP_MAGIC_0 && head[1] === GZIP_MAGIC_1;
  } finally {
    await handle.close();
  }
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  if (!gzip) return raw;
  const gunzip = createGunzip({ chunkSize: 1 << 20 });
  raw.on("error", (error) => gunzip.destroy(error));
  return raw.pipe(gunzip);
}

/**
 * Streams RFC 4180 records. Quoted fields may hold commas, doubled quotes and
 * line breaks; CRLF and LF both end a record; a blank line yields no record.
 * A stray quote inside an unquoted field is kept literally, so a malformed row
 * still comes out as a record that field validation can report.
 */
export async function* readCsvRecords(path: string): AsyncGenerator<CsvRecord> {
  const stream = await openStream(path);
  const decoder = new StringDecoder("utf8");
  let fields: string[] = [];
  let field = "";
  let inQuotes = false;
  let quoteSeen = false; // inside quotes, the previous char was a quote
  let line = 1;
  let recordLine = 1;
  let fieldStarted = false;
  let bom = true;

  const endRecord = (): CsvRecord | undefined => {
    fields.push(field);
    field = "";
    const record =
      fields.length === 1 && fields[0] === "" && !fieldStarted
        ? undefined
        : { line: recordLine, fields };
    fields = [];
    fieldStarted = false;
    return record;
  };

  try {
    for await (const chunk of stream) {
      let text = decoder.write(chunk as Buffer);
      if (bom && text.length > 0) {
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        bom = false;
      }
      const out: CsvRecord[] = [];
      let start = 0; // start of the pending plain run inside `text`
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (inQuotes) {
          if (quoteSeen) {
            quoteSeen = false;
            if (c === 34) {
              field += '"';
              start = i + 1;
              continue;
            }
            inQuotes = false;
            start = i;
            // fall through: this char is outside the quotes
          } else if (c === 34) {
            field += text.slice(start, i);
            quoteSeen = true;
            continue;
          } else {
            if (c === 10) line++;
            continue;
          }
        }
        if (c === 44) {
          field += text.slice(start, i);
          fields.push(field);
          field = "";
          fieldStarted = true;
          start = i + 1;
        } else if (c === 10) {
          field += text.slice(start, i);
          if (field.endsWith("\r")) field = field.slice(0, -1);
          const record = endRecord();
          if (record) out.push(record);
          line++;
          recordLine = line;
          start = i + 1;
        } else if (c === 34 && i === start && field === "") {
          inQuotes = true;
          fieldStarted = true;
          start = i + 1;
        }
      }
      if (!inQuotes || !quoteSeen) field += text.slice(start);
      for (const record of out) yield record;
    }
  } catch (error) {
    if (error instanceof OrdersCsvError) throw error;
    throw new OrdersCsvError(
      "READ_ERROR",
      `cannot read ${path}: ${String(error)}`,
    );
  }
  field += decoder.end();
  if (field !== "" || fields.length > 0) {
    const record = endRecord();
    if (record) yield record;
  }
}

const CREATED_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;
const QUANTITY = /^[1-9]\d*$/;
const PRICE = /^\d+(\.\d+)?$/;

export interface ReadOrdersOptions {
  maxBadRowDetails?: number;
  /**
   * Titles and prices describe the catalog as it was before this created_at (an evaluation's
   * train bound), so that nothing from the scored period reaches the model. Every row still
   * makes its order.
   */
  describeBefore?: string;
}

/**
 * Reads the whole file into orders. Bad rows are skipped and reported (with
 * their line numbers) rather than aborting: one broken export line must not
 * stop a merchant's training run.
 */
export async function readOrdersCsv(
  path: string,
  options: ReadOrdersOptions = {},
): Promise<OrdersCsvResult> {
  const maxDetails = options.maxBadRowDetails ?? 100;
  const orders = new Map<string, CsvOrder & { seen: Set<string> }>();
  const titles = new Map<string, string>();
  const unitPrices = new Map<string, number>();
  const describeBefore = options.describeBefore;
  const badRows: BadRow[] = [];
  let badRowCount = 0;
  let rows = 0;
  let header: Record<string, number> | undefined;
  let width = 0;

  const bad = (line: number, reason: string) => {
    badRowCount++;
    if (badRows.length < maxDetails) badRows.push({ line, reason });
  };

  for await (const { line, fields } of readCsvRecords(path)) {
    if (!header) {
      const names = fields.map((f) => f.trim());
      header = {};
      for (const [i, name] of names.entries()) header[name] ??= i;
      const missing = REQUIRED_COLUMNS.filter((c) => header![c] === undefined);
      if (missing.length > 0) {
        throw new OrdersCsvError(
          "MISSING_COLUMN",
          `${path}: missing column(s) ${missing.join(", ")} (header has: ${names.join(", ")})`,
        );
      }
      width = names.length;
      continue;
    }
    rows++;
    if (fields.length !== width) {
      bad(line, `expected ${width} fields, got ${fields.length}`);
      continue;
    }
    const orderId = fields[header.order_id];
    const createdAt = fields[header.created_at];
    const sku = fields[header.sku];
    const quantity = fields[header.quantity];
    const price = fields[header.unit_price];
    if (orderId === "") {
      bad(line, "empty order_id");
      continue;
    }
    if (!CREATED_AT.test(createdAt)) {
      bad(
        line,
        `created_at is not YYYY-MM-DDTHH:MM:SS: ${JSON.stringify(createdAt)}`,
      );
      continue;
    }
    if (sku === "") {
      bad(line, "empty sku");
      continue;
    }
    if (!QUANTITY.test(quantity)) {
      bad(
        line,
        `quantity is not a positive integer: ${JSON.stringify(quantity)}`,
      );
      continue;
    }
    if (!PRICE.test(price)) {
      bad(line, `unit_price is not a decimal: ${JSON.stringify(price)}`);
      continue;
    }
    let order = orders.get(orderId);
    if (!order) {
      const customerId = fields[header.customer_id];
      const country =
        header.country === undefined ? "" : fields[header.country];
      order = {
        id: orderId,
        createdAt,
        ...(customerId !== "" ? { customerId } : {}),
        country,
        items: [],
        prices: [],
        seen: new Set(),
      };
      orders.set(orderId, order);
    }
    const minor = Math.round(Number(price) * 100);
    if (!order.seen.has(sku)) {
      order.seen.add(sku);
      order.items.push(sku);
      order.prices.push(minor);
    }
    if (describeBefore === undefined || createdAt < describeBefore) {
      unitPrices.set(sku, minor);
      const title =
        header.product_title === undefined ? "" : fields[header.product_title];
      if (title !== "") titles.set(sku, title);
    }
  }
  if (!header)
    throw new OrdersCsvError(
      "EMPTY_FILE",
      `${path}: the file has no header row`,
    );

  const result: CsvOrder[] = [];
  for (const { seen: _seen, ...order } of orders.values()) result.push(order);
  return { orders: result, titles, unitPrices, rows, badRowCount, badRows };
}
