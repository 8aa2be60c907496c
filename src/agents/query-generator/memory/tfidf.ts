/**
 * A TF-IDF inverted index with cosine similarity. A search touches only the
 * postings of the query's terms, so its cost follows the query, not the
 * number of stored documents. Document norms depend on every document's IDF;
 * they are recomputed lazily, once after a batch of additions.
 */

export class TfIdfIndex {
  /** term → (document id → log-scaled term frequency). */
  private readonly postings = new Map<string, Map<number, number>>();
  private readonly documents: Array<Map<string, number>> = [];
  private norms: number[] | undefined;

  get size(): number {
    return this.documents.length;
  }

  /** Adds a document; its id is its position in insertion order. */
  add(terms: readonly string[]): number {
    const id = this.documents.length;
    const weights = termWeights(terms);
    this.documents.push(weights);
    for (const [term, weight] of weights) {
      let list = this.postings.get(term);
      if (!list) this.postings.set(term, (list = new Map()));
      list.set(id, weight);
    }
    this.norms = undefined;
    return id;
  }

  /** Cosine similarity in [0, 1] of the query to every document sharing a term with it. */
  similarities(terms: readonly string[]): Map<number, number> {
    const result = new Map<number, number>();
    const query = termWeights(terms);
    if (query.size === 0 || this.documents.length === 0) return result;
    const norms = (this.norms ??= this.computeNorms());
    let queryNorm = 0;
    for (const [term, weight] of query) {
      const idf = this.idf(term);
      const q = weight * idf;
      queryNorm += q * q;
      const list = this.postings.get(term);
      if (!list) continue;
      for (const [doc, docWeight] of list) result.set(doc, (result.get(doc) ?? 0) + q * docWeight * idf);
    }
    queryNorm = Math.sqrt(queryNorm);
    for (const [doc, dot] of result) {
      const denominator = queryNorm * norms[doc];
      result.set(doc, denominator > 0 ? Math.min(1, dot / denominator) : 0);
    }
    return result;
  }

  /** Smoothed IDF; a term no document has weighs as much as the rarest one. */
  private idf(term: string): number {
    const df = this.postings.get(term)?.size ?? 0;
    return Math.log(1 + this.documents.length / Math.max(1, df));
  }

  private computeNorms(): number[] {
    return this.documents.map((weights) => {
      let sum = 0;
      for (const [term, weight] of weights) {
        const w = weight * this.idf(term);
        sum += w * w;
      }
      return Math.sqrt(sum);
    });
  }
}

function termWeights(terms: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const term of terms) counts.set(term, (counts.get(term) ?? 0) + 1);
  for (const [term, count] of counts) counts.set(term, 1 + Math.log(count));
  return counts;
}
