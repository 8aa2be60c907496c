/**
 * A TF-IDF inverted index with cosine similarity. A search touches only the
 * postings of the query's terms, so its cost follows the query, not the
 * number of stored documents. Document norms depend on every document's IDF;
 * they are recomputed lazily, once after a batch of additions.
 */

interface Postings {
  docs: number[];
  weights: number[];
}

export class TfIdfIndex {
  /** term → the documents holding it, with the log-scaled term frequency in each. */
  private readonly postings = new Map<string, Postings>();
  private readonly documents: Array<Map<string, number>> = [];
  private norms: Float64Array | undefined;

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
      if (!list) this.postings.set(term, (list = { docs: [], weights: [] }));
      list.docs.push(id);
      list.weights.push(weight);
    }
    this.norms = undefined;
    return id;
  }

  /**
   * Adds `factor` × the cosine similarity in [0, 1] of the query to each
   * document sharing a term with it into `scores` (indexed by document id),
   * and records each newly touched id in `touched`.
   */
  accumulate(terms: readonly string[], factor: number, scores: Float64Array, touched: number[]): void {
    const query = termWeights(terms);
    if (query.size === 0 || this.documents.length === 0) return;
    const norms = (this.norms ??= this.computeNorms());
    const dots = new Float64Array(this.documents.length);
    const hit: number[] = [];
    let queryNorm = 0;
    for (const [term, weight] of query) {
      const idf = this.idf(term);
      const q = weight * idf;
      queryNorm += q * q;
      const list = this.postings.get(term);
      if (!list) continue;
      const qi = q * idf;
      for (let i = 0; i < list.docs.length; i++) {
        const doc = list.docs[i];
        if (dots[doc] === 0) hit.push(doc);
        dots[doc] += qi * list.weights[i];
      }
    }
    queryNorm = Math.sqrt(queryNorm);
    for (const doc of hit) {
      const denominator = queryNorm * norms[doc];
      if (!(denominator > 0)) continue;
      if (scores[doc] === 0) touched.push(doc);
      scores[doc] += factor * Math.min(1, dots[doc] / denominator);
    }
  }

  /** Smoothed IDF; a term no document has weighs as much as the rarest one. */
  private idf(term: string): number {
    const df = this.postings.get(term)?.docs.length ?? 0;
    return Math.log(1 + this.documents.length / Math.max(1, df));
  }

  private computeNorms(): Float64Array {
    const norms = new Float64Array(this.documents.length);
    this.documents.forEach((weights, doc) => {
      let sum = 0;
      for (const [term, weight] of weights) {
        const w = weight * this.idf(term);
        sum += w * w;
      }
      norms[doc] = Math.sqrt(sum);
    });
    return norms;
  }
}

function termWeights(terms: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const term of terms) counts.set(term, (counts.get(term) ?? 0) + 1);
  for (const [term, count] of counts) counts.set(term, 1 + Math.log(count));
  return counts;
}
