import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { rmSync } from "node:fs";
import { OrdersCsvError, readCsvRecords, readOrdersCsv } from "./orders-csv";

const dir = mkdtempSync(join(tmpdir(), "orders-csv-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const HEADER =
  "order_id,created_at,customer_id,country,sku,product_title,quantity,unit_price\n";

async function records(path: string) {
  const out = [];
  for await (const r of readCsvRecords(path)) out.push(r);
  return out;
}

describe("readCsvRecords", () => {
  it("handles quoted commas, doubled quotes, line breaks in quotes and CRLF", async () => {
    const path = file(
      "quotes.csv",
      'a,b\r\n"x, y","say ""hi"""\r\n"multi\nline",z\n\nlast,row',
    );
    expect(await records(path)).toEqual([
      { line: 1, fields: ["a", "b"] },
      { line: 2, fields: ["x, y", 'say "hi"'] },
      { line: 3, fields: ["multi\nline", "z"] },
      { line: 6, fields: ["last", "row"] },
    ]);
  });

  it("reads gzip by its magic bytes whatever the file is called", async () => {
    const path = file("plain-name.csv", gzipSync(Buffer.from("a,b\n1,2\n")));
    expect((await records(path)).map((r) => r.fields)).toEqual([
      ["a", "b"],
      ["1", "2"],
    ]);
  });
});

describe("readOrdersCsv", () => {
  it("groups rows into orders of distinct SKUs with their first line's price and keeps quoted titles", async () => {
    const path = file(
      "orders.csv",
      HEADER +
        '536365,2010-12-01T08:26:00,17850,United Kingdom,85123A,"RECORD FRAME 7"" SINGLE",6,2.55\n' +
        "536365,2010-12-01T08:26:00,17850,United Kingdom,71053,LANTERN,6,3.39\n" +
        "536365,2010-12-01T08:26:00,17850,United Kingdom,85123A,RECORD FRAME,2,2.55\n" +
        "536366,2010-12-01T08:28:00,,France,22633,HAND WARMER,6,1.85\n",
    );
    const result = await readOrdersCsv(path);
    expect(result.rows).toBe(4);
    expect(result.badRowCount).toBe(0);
    expect(result.orders).toEqual([
      {
        id: "536365",
        createdAt: "2010-12-01T08:26:00",
        customerId: "17850",
        country: "United Kingdom",
        items: ["85123A", "71053"],
        prices: [255, 339],
      },
      {
        id: "536366",
        createdAt: "2010-12-01T08:28:00",
        country: "France",
        items: ["22633"],
        prices: [185],
      },
    ]);
    expect(result.titles.get("85123A")).toBe("RECORD FRAME");
  });

  it("describes the catalog as it was before a time, and still reads every order", async () => {
    const path = file(
      "renamed.csv",
      HEADER +
        "1,2011-01-01T10:00:00,,UK,A,LANTERN,1,1.25\n" +
        "2,2011-02-01T10:00:00,,UK,A,LANTERN RED,1,2.00\n" +
        "2,2011-02-01T10:00:00,,UK,B,CANDLE,1,0.50\n",
    );
    const before = await readOrdersCsv(path, {
      describeBefore: "2011-02-01T00:00:00",
    });
    expect(before.orders.map((o) => o.id)).toEqual(["1", "2"]);
    expect(before.titles).toEqual(new Map([["A", "LANTERN"]]));
    expect(before.unitPrices).toEqual(new Map([["A", 125]]));
    const all = await readOrdersCsv(path);
    expect(all.titles.get("A")).toBe("LANTERN RED");
    expect(all.unitPrices).toEqual(
      new Map([
        ["A", 200],
        ["B", 50],
      ]),
    );
  });

  it("counts bad rows with their line numbers and keeps reading", async () => {
    const path = file(
      "bad.csv",
      HEADER +
        "1,2011-01-01T10:00:00,,UK,A,t,1,1.00\n" +
        "2,2011-01-01T10:00:00,,UK,B,t,1\n" +
        "3,yesterday,,UK,C,t,1,1.00\n" +
        "4,2011-01-01T10:00:00,,UK,D,t,-2,1.00\n" +
        '5,2011-01-01T10:00:00,,UK,E,"two\nlines",1,1.00\n' +
        "6,2011-01-01T10:00:00,,UK,,t,1,1.00\n",
    );
    const result = await readOrdersCsv(path);
    expect(result.rows).toBe(6);
    expect(result.badRowCount).toBe(4);
    expect(result.badRows.map((b) => b.line)).toEqual([3, 4, 5, 8]);
    expect(result.badRows[0].reason).toMatch(/expected 8 fields, got 7/);
    expect(result.orders.map((o) => o.id)).toEqual(["1", "5"]);
  });

  it("limits bad-row details but not the count", async () => {
    const path = file("many-bad.csv", HEADER + "x\n".repeat(20));
    const result = await readOrdersCsv(path, { maxBadRowDetails: 3 });
    expect(result.badRowCount).toBe(20);
    expect(result.badRows).toHaveLength(3);
  });

  it("fails with a typed error for a missing file", async () => {
    await expect(readOrdersCsv(join(dir, "nope.csv"))).rejects.toMatchObject({
      name: "OrdersCsvError",
      code: "FILE_NOT_FOUND",
    });
  });

  it("names the missing columns", async () => {
    const path = file(
      "no-sku.csv",
      "order_id,created_at,customer_id,quantity,unit_price\n",
    );
    const error = await readOrdersCsv(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OrdersCsvError);
    expect((error as OrdersCsvError).code).toBe("MISSING_COLUMN");
    expect((error as OrdersCsvError).message).toMatch(
      /missing column\(s\) sku/,
    );
  });

  it("rejects an empty file", async () => {
    await expect(readOrdersCsv(file("empty.csv", ""))).rejects.toMatchObject({
      code: "EMPTY_FILE",
    });
  });
});
