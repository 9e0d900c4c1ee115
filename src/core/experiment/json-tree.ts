/**
 * A small JSON parser that keeps where every value sits in the text, so problems in an experiment
 * config can be reported at the exact entry (VS Code diagnostics, CLI "file:line:col" messages).
 *
 * Accepts strict JSON plus what VS Code's JSON editor tolerates in settings-like files: // and /* *\/
 * comments and trailing commas. Syntax errors do not throw: they are returned with their offsets, and
 * the tree holds what could be read (a truncated file still gives its first entries).
 */

export type JsonNodeType = 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null';

export interface JsonNode {
  type: JsonNodeType;
  /** Offset of the value's first character, and its length in characters. */
  offset: number;
  length: number;
  /** Primitive value (string, number, boolean, null); undefined for objects and arrays. */
  value?: string | number | boolean | null;
  /** Object members in text order. */
  properties?: JsonProperty[];
  /** Array items in text order. */
  items?: JsonNode[];
}

export interface JsonProperty {
  key: string;
  keyOffset: number;
  keyLength: number;
  value: JsonNode;
}

export interface JsonSyntaxError {
  message: string;
  offset: number;
  length: number;
}

export interface JsonTree {
  root?: JsonNode;
  errors: JsonSyntaxError[];
}

class Scanner {
  pos = 0;
  readonly errors: JsonSyntaxError[] = [];
  constructor(readonly text: string) {}

  error(message: string, offset = this.pos, length = 1): void {
    // One error per place is enough; a cascade of follow-ups would only hide the first.
    if (this.errors.some((e) => e.offset === offset)) return;
    this.errors.push({ message, offset, length: Math.max(1, Math.min(length, this.text.length - offset)) });
  }

  skipTrivia(): void {
    const t = this.text;
    for (;;) {
      const c = t.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0xfeff) {
        this.pos++;
      } else if (c === 0x2f && t[this.pos + 1] === '/') {
        const end = t.indexOf('\n', this.pos);
        this.pos = end < 0 ? t.length : end + 1;
      } else if (c === 0x2f && t[this.pos + 1] === '*') {
        const end = t.indexOf('*/', this.pos + 2);
        if (end < 0) {
          this.error('unterminated comment', this.pos, 2);
          this.pos = t.length;
        } else this.pos = end + 2;
      } else return;
    }
  }

  peek(): string {
    return this.text[this.pos] ?? '';
  }
}

function parseString(s: Scanner): { value: string; offset: number; length: number } {
  const start = s.pos;
  const t = s.text;
  let out = '';
  s.pos++; // opening quote
  for (;;) {
    if (s.pos >= t.length) {
      s.error('unterminated string', start, t.length - start);
      break;
    }
    const c = t[s.pos];
    if (c === '"') {
      s.pos++;
      break;
    }
    if (c === '\n') {
      s.error('unterminated string (line break inside)', start, s.pos - start);
      break;
    }
    if (c === '\\') {
      const e = t[s.pos + 1];
      const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
      if (e in simple) {
        out += simple[e];
        s.pos += 2;
      } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(t.slice(s.pos + 2, s.pos + 6))) {
        out += String.fromCharCode(parseInt(t.slice(s.pos + 2, s.pos + 6), 16));
        s.pos += 6;
      } else {
        s.error(`invalid escape "\\${e ?? ''}" in a string`, s.pos, 2);
        s.pos += 2;
      }
      continue;
    }
    out += c;
    s.pos++;
  }
  return { value: out, offset: start, length: s.pos - start };
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WORD = /[A-Za-z_$][\w$]*/y;

function parseValue(s: Scanner, depth: number): JsonNode | undefined {
  s.skipTrivia();
  const start = s.pos;
  const c = s.peek();
  if (c === '') {
    s.error('unexpected end of file: a value was expected', Math.max(0, s.text.length - 1));
    return undefined;
  }
  if (depth > 200) {
    s.error('nested too deeply');
    return undefined;
  }
  if (c === '{') return parseObject(s, depth);
  if (c === '[') return parseArray(s, depth);
  if (c === '"') {
    const str = parseString(s);
    return { type: 'string', offset: str.offset, length: str.length, value: str.value };
  }
  NUMBER.lastIndex = start;
  const num = NUMBER.exec(s.text);
  if (num && num.index === start) {
    s.pos = start + num[0].length;
    return { type: 'number', offset: start, length: num[0].length, value: Number(num[0]) };
  }
  WORD.lastIndex = start;
  const word = WORD.exec(s.text);
  if (word && word.index === start) {
    s.pos = start + word[0].length;
    if (word[0] === 'true' || word[0] === 'false') return { type: 'boolean', offset: start, length: word[0].length, value: word[0] === 'true' };
    if (word[0] === 'null') return { type: 'null', offset: start, length: 4, value: null };
    s.error(`unexpected "${word[0]}": strings need double quotes`, start, word[0].length);
    return undefined;
  }
  s.error(`unexpected character "${c}": a value was expected`, start);
  s.pos++;
  return undefined;
}

function parseObject(s: Scanner, depth: number): JsonNode {
  const node: JsonNode = { type: 'object', offset: s.pos, length: 0, properties: [] };
  s.pos++; // {
  let needComma = false;
  for (;;) {
    s.skipTrivia();
    const c = s.peek();
    if (c === '}') {
      s.pos++;
      break;
    }
    if (c === '') {
      s.error('unexpected end of file: "}" expected', node.offset, 1);
      break;
    }
    if (needComma) {
      if (c === ',') {
        s.pos++;
        s.skipTrivia();
        if (s.peek() === '}') continue; // trailing comma
      } else {
        s.error('"," or "}" expected');
      }
    }
    if (s.peek() !== '"') {
      s.error('a property name in double quotes was expected');
      // Skip to the next plausible boundary so one slip does not hide the rest of the file.
      while (s.pos < s.text.length && !',}'.includes(s.peek())) s.pos++;
      needComma = true;
      continue;
    }
    const key = parseString(s);
    s.skipTrivia();
    if (s.peek() !== ':') {
      s.error(`":" expected after "${key.value}"`);
    } else s.pos++;
    const value = parseValue(s, depth + 1);
    if (value) node.properties!.push({ key: key.value, keyOffset: key.offset, keyLength: key.length, value });
    needComma = true;
  }
  node.length = s.pos - node.offset;
  return node;
}

function parseArray(s: Scanner, depth: number): JsonNode {
  const node: JsonNode = { type: 'array', offset: s.pos, length: 0, items: [] };
  s.pos++; // [
  let needComma = false;
  for (;;) {
    s.skipTrivia();
    const c = s.peek();
    if (c === ']') {
      s.pos++;
      break;
    }
    if (c === '') {
      s.error('unexpected end of file: "]" expected', node.offset, 1);
      break;
    }
    if (needComma) {
      if (c === ',') {
        s.pos++;
        s.skipTrivia();
        if (s.peek() === ']') continue; // trailing comma
      } else {
        s.error('"," or "]" expected');
      }
    }
    const before = s.pos;
    const value = parseValue(s, depth + 1);
    if (value) node.items!.push(value);
    if (s.pos === before) s.pos++; // never loop on the same character
    needComma = true;
  }
  node.length = s.pos - node.offset;
  return node;
}

/** Parse JSON (with comments and trailing commas) into a tree of positioned nodes. */
export function parseJsonTree(text: string): JsonTree {
  const s = new Scanner(text);
  const root = parseValue(s, 0);
  s.skipTrivia();
  if (s.pos < text.length) s.error('unexpected text after the end of the JSON value', s.pos, text.length - s.pos);
  return { root, errors: s.errors };
}

/** The plain JavaScript value of a node (objects keep the last of duplicate keys, as JSON.parse does). */
export function nodeValue(node: JsonNode): unknown {
  switch (node.type) {
    case 'object': {
      const o: Record<string, unknown> = {};
      for (const p of node.properties!) o[p.key] = nodeValue(p.value);
      return o;
    }
    case 'array':
      return node.items!.map(nodeValue);
    default:
      return node.value;
  }
}

export type JsonPath = (string | number)[];

/** The node at a path of keys and indices, or undefined. */
export function findNode(root: JsonNode | undefined, path: JsonPath): JsonNode | undefined {
  let n = root;
  for (const seg of path) {
    if (!n) return undefined;
    if (typeof seg === 'number') n = n.type === 'array' ? n.items![seg] : undefined;
    else n = n.type === 'object' ? [...n.properties!].reverse().find((p) => p.key === seg)?.value : undefined;
  }
  return n;
}

/** The property (key and value) at a path whose last segment is a key, or undefined. */
export function findProperty(root: JsonNode | undefined, path: JsonPath): JsonProperty | undefined {
  const last = path[path.length - 1];
  if (typeof last !== 'string') return undefined;
  const parent = findNode(root, path.slice(0, -1));
  return parent?.type === 'object' ? [...parent.properties!].reverse().find((p) => p.key === last) : undefined;
}

/** 1-based line and column of an offset (columns count UTF-16 units, as editors do). */
export function lineColumnOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}
