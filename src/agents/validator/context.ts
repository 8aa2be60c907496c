/**
 * One validation's shared state: the text, its single parse, the lexer tokens
 * (scanned on demand), the name resolution of the query, and the prepared
 * dependencies. Every layer reads it; none re-parses.
 */
import { scanSync, type ScanToken } from 'libpg-query';
import type { AstNode } from '../../sql/ast.js';
import type { ParseFailure, ParseTree } from '../../sql/parser.js';
import type { PreparedDeps } from './prepared.js';
import { forEachNode, resolveQuery, type QueryModel } from './resolve.js';

export class ValidationContext {
  private tokenList?: ScanToken[] | null;
  private queryModel?: QueryModel;
  private nodeIndex?: Map<string, AstNode[]>;
  private readonly charOffsets?: Int32Array;

  constructor(
    readonly sql: string,
    readonly tree: ParseTree | undefined,
    readonly parseError: ParseFailure | undefined,
    readonly deps: PreparedDeps,
  ) {
    // libpg-query reports byte offsets; issues carry character offsets. Plain ASCII needs no table.
    if (Buffer.byteLength(sql, 'utf8') !== sql.length) this.charOffsets = byteToCharTable(sql);
  }

  /** The lexer's tokens (comments included), or null when the text cannot be scanned. Byte offsets. */
  get tokens(): ScanToken[] | null {
    if (this.tokenList === undefined) {
      try {
        this.tokenList = scanSync(this.sql).tokens;
      } catch {
        this.tokenList = null;
      }
    }
    return this.tokenList;
  }

  /** Tables, aliases and column resolutions of the parsed query. Only for a text that parsed. */
  get model(): QueryModel {
    if (!this.tree) throw new Error('no query model for a text that did not parse');
    this.queryModel ??= resolveQuery(this.tree, this.deps);
    return this.queryModel;
  }

  /** Every node of one type in the tree, from a single walk shared by all layers. */
  nodes(type: string): AstNode[] {
    if (!this.nodeIndex) {
      this.nodeIndex = new Map();
      const index = this.nodeIndex;
      forEachNode(this.tree, (type, node) => {
        const list = index.get(type);
        if (list) list.push(node);
        else index.set(type, [node]);
      });
    }
    return this.nodeIndex.get(type) ?? [];
  }

  /** The character offset for a parser/lexer byte offset (undefined for the parser's "unknown", -1). */
  position(byteOffset: number | undefined): number | undefined {
    if (byteOffset === undefined || byteOffset < 0) return undefined;
    if (!this.charOffsets) return byteOffset;
    return this.charOffsets[Math.min(byteOffset, this.charOffsets.length - 1)];
  }

  /** The source text between two byte offsets. */
  slice(startByte: number, endByte: number): string {
    if (!this.charOffsets) return this.sql.slice(startByte, endByte);
    return this.sql.slice(this.position(startByte), this.position(endByte));
  }
}

function byteToCharTable(text: string): Int32Array {
  const table = new Int32Array(Buffer.byteLength(text, 'utf8') + 1);
  let byte = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.codePointAt(i)!;
    const width = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    for (let k = 0; k < width; k++) table[byte + k] = i;
    byte += width;
    if (code >= 0x10000) i++;
  }
  table[byte] = text.length;
  return table;
}
