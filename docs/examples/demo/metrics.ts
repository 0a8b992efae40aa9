/**
 * Test metrics from predicted class probabilities: accuracy, mean negative log-likelihood and the expected
 * calibration error (Guo et al. 2017: confidences binned into equal-width bins, ECE = Σ_b |B_b|/n ·
 * |accuracy(B_b) − mean confidence(B_b)|).
 */
export interface Scores {
  accuracy: number;
  /** Mean cross-entropy −log p(true class). */
  loss: number;
  /** Expected calibration error over `bins` equal-width confidence bins. */
  ece: number;
}

/**
 * @param probs Row-major `[n, k]` probabilities (each row sums to 1).
 * @param labels True classes `[n]`.
 * @param k Number of classes.
 * @param bins Confidence bins for the ECE. Default 15, the usual choice.
 */
export function score(probs: Float32Array, labels: Int32Array, k: number, bins = 15): Scores {
  const n = labels.length;
  let correct = 0;
  let nll = 0;
  const binCount = new Float64Array(bins);
  const binCorrect = new Float64Array(bins);
  const binConfidence = new Float64Array(bins);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (probs[i * k + c] > probs[i * k + best]) best = c;
    const confidence = probs[i * k + best];
    const hit = best === labels[i] ? 1 : 0;
    correct += hit;
    nll -= Math.log(Math.max(probs[i * k + labels[i]], 1e-12));
    // Bin b holds confidences in (b/bins, (b+1)/bins]; a confidence of exactly 0 joins the first bin.
    const b = Math.min(bins - 1, Math.max(0, Math.ceil(confidence * bins) - 1));
    binCount[b] += 1;
    binCorrect[b] += hit;
    binConfidence[b] += confidence;
  }
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    if (binCount[b] > 0) ece += Math.abs(binCorrect[b] - binConfidence[b]) / n;
  }
  return { accuracy: correct / n, loss: nll / n, ece };
}
