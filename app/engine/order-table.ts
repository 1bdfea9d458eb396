import type { EngineOrder } from "./types";

/**
 * A shop's orders held for training in typed arrays: order offsets into flat line columns, lines
 * as indices into one table of ids. One order as objects costs about 570 bytes (the order, its
 * lines, their prices, a Date); here about 225 with its id strings, so a million orders fit
 * beside the model being trained (decision 018, "Measured"). The engine's other functions still
 * read `EngineOrder`s: `engineOrders` hands them over one at a time, built on demand.
 */
export interface OrderTable {
  /** Number of orders. */
  readonly length: number;
  /** Order ids, in the order they were added. */
  readonly ids: readonly string[];
  /** Creation times, in ms since the epoch. */
  readonly times: Float64Array;
  /** Index in `keys` of the customer key, -1 for a guest checkout. */
  readonly customers: Int32Array;
  /** Order u's lines are lineStart[u] up to lineStart[u + 1]. */
  readonly lineStart: Uint32Array;
  /** Index in `keys` of each line's product. */
  readonly lineProduct: Uint32Array;
  /** Index in `keys` of each line's variant, -1 when the line has none. */
  readonly lineVariant: Int32Array;
  readonly lineQuantity: Float64Array;
  /** Unit price, in minor units of the line's currency. */
  readonly linePrice: Float64Array;
  /** Index in `keys` of each line's currency. */
  readonly lineCurrency: Uint32Array;
  /** Product, variant, customer and currency ids, each held once. */
  readonly keys: readonly string[];
}

/** Grows an OrderTable one order at a time; `table()` is the result so far. */
export class OrderTableBuilder {
  private ids: string[] = [];
  private keys: string[] = [];
  private keyIndex = new Map<string, number>();
  private orders = 0;
  private lines = 0;
  private times = new Float64Array(1024);
  private customers = new Int32Array(1024);
  private lineStart = new Uint32Array(1025);
  private lineProduct = new Uint32Array(2048);
  private lineVariant = new Int32Array(2048);
  private lineQuantity = new Float64Array(2048);
  private linePrice = new Float64Array(2048);
  private lineCurrency = new Uint32Array(2048);

  /** Adds an order and its lines; a line's `discounted` flag is not kept (training does not read it). */
  push(order: EngineOrder): void {
    if (this.orders === this.times.length) {
      const size = this.times.length * 2;
      this.times = grow(this.times, size);
      this.customers = grow(this.customers, size);
      this.lineStart = grow(this.lineStart, size + 1);
    }
    const u = this.orders++;
    this.ids.push(order.id);
    this.times[u] =
      order.createdAt instanceof Date
        ? order.createdAt.getTime()
        : Date.parse(order.createdAt);
    this.customers[u] =
      order.customerKey === undefined ? -1 : this.key(order.customerKey);
    for (const line of order.lines) {
      if (this.lines === this.lineProduct.length) {
        const size = this.lineProduct.length * 2;
        this.lineProduct = grow(this.lineProduct, size);
        this.lineVariant = grow(this.lineVariant, size);
        this.lineQuantity = grow(this.lineQuantity, size);
        this.linePrice = grow(this.linePrice, size);
        this.lineCurrency = grow(this.lineCurrency, size);
      }
      const p = this.lines++;
      this.lineProduct[p] = this.key(line.productId);
      this.lineVariant[p] =
        line.variantId === undefined ? -1 : this.key(line.variantId);
      this.lineQuantity[p] = line.quantity;
      this.linePrice[p] = line.price.amount;
      this.lineCurrency[p] = this.key(line.price.currency);
    }
    this.lineStart[u + 1] = this.lines;
  }

  table(): OrderTable {
    const n = this.orders;
    const lines = this.lines;
    return {
      length: n,
      ids: this.ids,
      times: this.times.subarray(0, n),
      customers: this.customers.subarray(0, n),
      lineStart: this.lineStart.subarray(0, n + 1),
      lineProduct: this.lineProduct.subarray(0, lines),
      lineVariant: this.lineVariant.subarray(0, lines),
      lineQuantity: this.lineQuantity.subarray(0, lines),
      linePrice: this.linePrice.subarray(0, lines),
      lineCurrency: this.lineCurrency.subarray(0, lines),
      keys: this.keys,
    };
  }

  private key(id: string): number {
    let k = this.keyIndex.get(id);
    if (k === undefined) {
      k = this.keys.length;
      this.keys.push(id);
      this.keyIndex.set(id, k);
    }
    return k;
  }
}

function grow<T extends Float64Array | Int32Array | Uint32Array>(
  array: T,
  size: number,
): T {
  const next = new (array.constructor as new (size: number) => T)(size);
  next.set(array);
  return next;
}

export function orderTable(orders: Iterable<EngineOrder>): OrderTable {
  const builder = new OrderTableBuilder();
  for (const order of orders) builder.push(order);
  return builder.table();
}

/** Order u as the engine's object, built anew (its createdAt a Date). */
export function engineOrder(table: OrderTable, u: number): EngineOrder {
  const { keys } = table;
  const lines: EngineOrder["lines"] = [];
  for (let p = table.lineStart[u]; p < table.lineStart[u + 1]; p++) {
    const variant = table.lineVariant[p];
    lines.push({
      productId: keys[table.lineProduct[p]],
      variantId: variant < 0 ? undefined : keys[variant],
      quantity: table.lineQuantity[p],
      price: {
        amount: table.linePrice[p],
        currency: keys[table.lineCurrency[p]],
      },
    });
  }
  const customer = table.customers[u];
  return {
    id: table.ids[u],
    createdAt: new Date(table.times[u]),
    customerKey: customer < 0 ? undefined : keys[customer],
    lines,
  };
}

/** Every order of the table as the engine's object, one at a time, none of them kept. */
export function* engineOrders(table: OrderTable): Generator<EngineOrder> {
  for (let u = 0; u < table.length; u++) yield engineOrder(table, u);
}
