/**
 * The requested cost of an Admin GraphQL query, computed before it is sent, the way Shopify
 * documents it (https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits): a scalar or
 * enum field costs 0, an object 1, a connection 2 plus its page size (`first` or `last`) times
 * the cost of one of its nodes, and a mutation field 10. Shopify refuses a single query whose
 * requested cost exceeds 1,000 points (MAX_COST_EXCEEDED), whatever it would actually return.
 *
 * No schema is needed for the queries Cartlift sends: a field with a selection set is an object,
 * one with a `first`/`last` argument a connection (its `nodes` or `edges { node }` is the node).
 * Pure and dependency-free: the demo's stand-in for Shopify prices queries with it too.
 */

export const MAX_QUERY_COST = 1000;
const MUTATION_COST = 10;

/** A selected field: its arguments (variables filled in) and, for an object, what it selects. */
export interface Field {
  name: string;
  args: Record<string, unknown>;
  selections: Field[] | null;
}

type Token = { kind: "punct" | "name" | "string" | "number"; text: string };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  const pattern =
    /\s+|,|#[^\n]*|("""[\s\S]*?"""|"(?:\\.|[^"\\])*")|(\.\.\.|[{}():[\]!$=@])|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|([A-Za-z_][A-Za-z0-9_]*)/y;
  let index = 0;
  while (index < source.length) {
    pattern.lastIndex = index;
    const match = pattern.exec(source);
    if (!match) throw new Error(`Cannot read the query at ${index}`);
    index = pattern.lastIndex;
    if (match[1]) tokens.push({ kind: "string", text: match[1] });
    else if (match[2]) tokens.push({ kind: "punct", text: match[2] });
    else if (match[3]) tokens.push({ kind: "number", text: match[3] });
    else if (match[4]) tokens.push({ kind: "name", text: match[4] });
  }
  return tokens;
}

class Parser {
  private at = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly variables: Record<string, unknown>,
  ) {}

  private peek(text?: string) {
    const token = this.tokens[this.at];
    return text === undefined ? token : token?.text === text;
  }

  private take(text?: string): Token {
    const token = this.tokens[this.at++];
    if (!token || (text !== undefined && token.text !== text))
      throw new Error(`Expected ${text ?? "a token"} in the query`);
    return token;
  }

  /** The operation: its kind and top-level selections (variable definitions are skipped). */
  operation(): { mutation: boolean; selections: Field[] } {
    let mutation = false;
    if (!this.peek("{")) {
      mutation = this.take().text === "mutation";
      if (!this.peek("(") && !this.peek("{")) this.take(); // the operation's name
      if (this.peek("(")) this.skipBalanced("(", ")");
    }
    return { mutation, selections: this.selectionSet() };
  }

  private skipBalanced(open: string, close: string) {
    let depth = 0;
    do {
      const { text } = this.take();
      if (text === open) depth++;
      else if (text === close) depth--;
    } while (depth > 0);
  }

  private selectionSet(): Field[] {
    this.take("{");
    const fields: Field[] = [];
    while (!this.peek("}")) {
      if (this.peek("...")) {
        // Inline fragment (`... on BulkOperation { … }`): its fields belong to the parent.
        this.take("...");
        if (this.peek("on")) {
          this.take("on");
          this.take();
        }
        fields.push(...this.selectionSet());
        continue;
      }
      let name = this.take().text;
      if (this.peek(":")) {
        this.take(":"); // an alias: the field is the name after it
        name = this.take().text;
      }
      const args = this.peek("(") ? this.arguments() : {};
      const selections = this.peek("{") ? this.selectionSet() : null;
      fields.push({ name, args, selections });
    }
    this.take("}");
    return fields;
  }

  private arguments(): Record<string, unknown> {
    this.take("(");
    const args: Record<string, unknown> = {};
    while (!this.peek(")")) {
      const name = this.take().text;
      this.take(":");
      args[name] = this.value();
    }
    this.take(")");
    return args;
  }

  private value(): unknown {
    const token = this.take();
    if (token.text === "$") return this.variables[this.take().text];
    if (token.kind === "number") return Number(token.text);
    if (token.text === "[") {
      const list: unknown[] = [];
      while (!this.peek("]")) list.push(this.value());
      this.take("]");
      return list;
    }
    if (token.text === "{") {
      this.at--;
      this.skipBalanced("{", "}");
      return null;
    }
    return token.text;
  }
}

function pageSize(field: Field): number | null {
  const size = field.args.first ?? field.args.last;
  return typeof size === "number" ? size : null;
}

function selectionsCost(fields: Field[]): number {
  return fields.reduce((sum, field) => sum + fieldCost(field), 0);
}

function fieldCost(field: Field): number {
  if (!field.selections) return 0;
  const size = pageSize(field);
  if (size === null) return 1 + selectionsCost(field.selections);
  // A connection: one node's cost (the node object and what is selected in it) per requested item.
  const nodes = field.selections.find((f) => f.name === "nodes");
  const node = field.selections
    .find((f) => f.name === "edges")
    ?.selections?.find((f) => f.name === "node");
  const item = nodes ?? node;
  const perNode = item?.selections ? 1 + selectionsCost(item.selections) : 1;
  return 2 + size * perNode;
}

/** An operation: whether it is a mutation, and the fields it selects. */
export interface Operation {
  mutation: boolean;
  selections: Field[];
}

/** The operation in `query`, with `variables` filled in. */
export function parseOperation(
  query: string,
  variables: Record<string, unknown> = {},
): Operation {
  return new Parser(tokenize(query), variables).operation();
}

/** The requested cost of an operation, as Shopify reports it in `extensions.cost`. */
export function operationCost({ mutation, selections }: Operation): number {
  if (mutation) return selections.length * MUTATION_COST;
  return selectionsCost(selections);
}

/** The requested cost of `query` with `variables`. */
export function requestedQueryCost(
  query: string,
  variables: Record<string, unknown> = {},
): number {
  return operationCost(parseOperation(query, variables));
}
