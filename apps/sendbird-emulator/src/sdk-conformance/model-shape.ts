import * as sdk from "sendbird-platform-sdk-typescript";

interface Attribute {
  baseName: string;
  type: string;
}

type ModelClass = { getAttributeTypeMap(): Attribute[] };

function modelOf(type: string): ModelClass | undefined {
  const candidate = (sdk as unknown as Record<string, unknown>)[type];
  if (typeof candidate === "function" && "getAttributeTypeMap" in candidate) return candidate as ModelClass;
  return undefined;
}

export interface ShapeOptions {
  /**
   * Keys Sendbird's docs show but the SDK's model lacks, per model: allowed, each one a decision
   * (the generated models are incomplete). Any other key the emulator sends is a problem.
   */
  extraKeys?: Record<string, readonly string[]>;
  /** `Model.key` → the type to check that key as, where the SDK's model uses a too-narrow one. */
  typeOverrides?: Record<string, string>;
}

/**
 * Differences between a JSON response and an SDK model, as readable lines: a declared key with a
 * value of another type, or a key the model does not declare (unless allowed). Models the SDK
 * types loosely (`any`, `object`, inline maps, types it does not define) are not looked into.
 */
export function shapeProblems(json: unknown, type: string, options: ShapeOptions = {}, at = "$"): string[] {
  const t = type.trim();
  if (json === null || json === undefined) return [];
  if (t === "any" || t === "object" || t.startsWith("{")) return [];
  if (t === "string" || t === "number" || t === "boolean") {
    return typeof json === t ? [] : [`${at}: ${t} expected, got ${JSON.stringify(json)}`];
  }
  const array = /^Array<(.+)>$/.exec(t);
  if (array?.[1]) {
    if (!Array.isArray(json)) return [`${at}: array expected, got ${typeof json}`];
    const itemType = array[1];
    return json.flatMap((item, i) => shapeProblems(item, itemType, options, `${at}[${i}]`));
  }
  const model = modelOf(t);
  if (!model) return [];
  if (typeof json !== "object" || Array.isArray(json)) return [`${at}: ${t} object expected`];
  const attributes = new Map(model.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
  const allowed = new Set(options.extraKeys?.[t] ?? []);
  const problems: string[] = [];
  for (const [key, value] of Object.entries(json)) {
    const declared = options.typeOverrides?.[`${t}.${key}`] ?? attributes.get(key);
    if (declared === undefined) {
      if (!allowed.has(key)) problems.push(`${at}.${key}: not in the SDK's ${t}`);
      continue;
    }
    problems.push(...shapeProblems(value, declared, options, `${at}.${key}`));
  }
  return problems;
}
