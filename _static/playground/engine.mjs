// The playground's engine: small multi-layer perceptrons trained with plain minibatch SGD on
// softmax cross-entropy, in float32, with the book's probes (gradient norms, dead units,
// saturation). It follows the arithmetic of actbook.training.train step by step:
//
//   logits = ((x W1 + b1) -> f1 -> ... ) WL + bL          (every stored number a float32)
//   loss   = -sum(onehot * log_softmax(logits)) * (1 / batch)
//   w      = w - learning_rate * dloss/dw                   (float32 subtract of a float32 product)
//
// Every tensor lives in a Float32Array, so every stored intermediate is rounded to float32 the
// way TensorFlow's float32 kernels round it. Inside a matrix product the sum is accumulated in a
// JavaScript double and rounded once when stored: TensorFlow sums in float32 in an order of its
// own, so the two agree to float32 round-off, not bit for bit (tests/test_playground.py measures
// the difference and states the tolerance).
//
// Plain ES module, no dependencies, no build step.

const f32 = Math.fround;

// --- Activations ---------------------------------------------------------------------------
// f(z) and the factor f'(z) that backpropagation applies, computed as TensorFlow computes them
// in float32: sigmoid' = y (1 - y) from the float32 output y (exactly 0 from z = 16.6 on, as in
// the book's probes.hidden_derivatives), tanh' = 1 - y^2, elu' = y + 1 below 0, relu'(0) = 0.
// `peak` is actbook.probes.derivative_peak (the largest f' on a 0.001 grid over [-20, 20]); the
// saturation probe counts units with f'(z) < 0.01 * peak.

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

// erf to double precision: the all-positive series e^{-x^2} sum 2^n x^{2n+1} / (2n+1)!! for
// |x| < 3, Lentz's continued fraction for erfc beyond (Abramowitz & Stegun 7.1.6 and 7.1.14).
export function erf(x) {
  const a = Math.abs(x);
  if (a < 3) {
    let term = a, sum = a;
    for (let n = 1; n < 200 && term > 1e-17 * sum; n++) {
      term *= 2 * a * a / (2 * n + 1);
      sum += term;
    }
    const r = 2 / Math.sqrt(Math.PI) * Math.exp(-a * a) * sum;
    return x < 0 ? -r : r;
  }
  // erfc(a) = e^{-a^2}/sqrt(pi) * 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + 2/(a + ...)))))
  let frac = a;
  for (let k = 60; k >= 1; k--) frac = a + (k / 2) / frac;
  const erfc = Math.exp(-a * a) / Math.sqrt(Math.PI) / frac;
  return x < 0 ? erfc - 1 : 1 - erfc;
}

function sigmoid(z) { return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)); }

export const ACTIVATIONS = {
  linear: {label: "none (linear)", f: z => z, df: () => 1, peak: 1},
  sigmoid: {label: "sigmoid", f: z => sigmoid(z), df: (z, y) => f32(y * f32(1 - y)), peak: 0.25},
  tanh: {label: "tanh", f: z => Math.tanh(z), df: (z, y) => f32(1 - f32(y * y)), peak: 1},
  relu: {label: "ReLU", f: z => (z > 0 ? z : 0), df: z => (z > 0 ? 1 : 0), peak: 1},
  leaky_relu: {label: "leaky ReLU (0.01)", f: z => (z > 0 ? z : f32(f32(0.01) * z)),
    df: z => (z > 0 ? 1 : f32(0.01)), peak: 1},
  elu: {label: "ELU", f: z => (z > 0 ? z : Math.expm1(z)), df: (z, y) => (z > 0 ? 1 : f32(y + 1)),
    peak: 1},
  gelu: {label: "GELU", f: z => 0.5 * z * (1 + erf(z * SQRT1_2)),
    df: z => 0.5 * (1 + erf(z * SQRT1_2)) + z * INV_SQRT_2PI * Math.exp(-0.5 * z * z),
    peak: 1.1289041357174299},
  silu: {label: "SiLU (swish)", f: z => z * f32(sigmoid(z)),
    df: z => { const s = f32(sigmoid(z)); return f32(s * f32(1 + f32(z * f32(1 - s)))); },
    peak: 1.0998393142858005},
  maxout: {label: "maxout (2 pieces)", pieces: 2, f: null, df: null, peak: null},
};

// --- Random numbers (the playground's own; not TensorFlow's) --------------------------------
// sfc32 seeded through splitmix32 from (seed, stream): independent streams for the data, each
// layer's initial weights and the minibatch order, so that changing one layer's activation does
// not change the other layers' draws (as in actbook.models.mlp).

export function rng(seed, stream) {
  let s = (seed ^ Math.imul(stream + 1, 0x9E3779B9)) >>> 0;
  const splitmix = () => {
    s = (s + 0x9E3779B9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85EBCA6B);
    z = Math.imul(z ^ (z >>> 13), 0xC2B2AE35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix(), b = splitmix(), c = splitmix(), d = splitmix();
  const uniform = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 15; i++) uniform();
  let spare = null;
  const normal = () => {            // Box-Muller
    if (spare !== null) { const v = spare; spare = null; return v; }
    let u = 0;
    while (u === 0) u = uniform();
    const r = Math.sqrt(-2 * Math.log(u)), t = 2 * Math.PI * uniform();
    spare = r * Math.sin(t);
    return r * Math.cos(t);
  };
  const permutation = n => {        // Fisher-Yates
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(uniform() * (i + 1));
      const t = p[i]; p[i] = p[j]; p[j] = t;
    }
    return p;
  };
  return {uniform, normal, permutation};
}

// --- Data sets: the book's four 2-D sets, same distributions, the playground's own draws ----

function standardise(x, n) {
  for (let j = 0; j < 2; j++) {
    let mean = 0, sq = 0;
    for (let i = 0; i < n; i++) mean += x[2 * i + j];
    mean /= n;
    for (let i = 0; i < n; i++) sq += (x[2 * i + j] - mean) ** 2;
    const sd = Math.sqrt(sq / n) || 1;
    for (let i = 0; i < n; i++) x[2 * i + j] = (x[2 * i + j] - mean) / sd;
  }
}

// Generate `n` points of data set `name` ("xor", "circles", "moons", "spiral"), as
// actbook.data does: XOR corners of the unit square with uniform jitter of half-width `noise`;
// scikit-learn's moons and circles (factor 0.5) and 1.5-turn spirals with Gaussian noise of
// standard deviation `noise`, standardised per feature. Returns {x: Float32Array(2n), y}.
export function makeData(name, n, noise, seed) {
  const r = rng(seed, 1);
  const x = new Float64Array(2 * n), y = new Int32Array(n);
  if (name === "xor") {
    for (let i = 0; i < n; i++) {
      const c = Math.floor(r.uniform() * 4);
      x[2 * i] = (c >> 1) + (2 * r.uniform() - 1) * noise;
      x[2 * i + 1] = (c & 1) + (2 * r.uniform() - 1) * noise;
      y[i] = (c >> 1) ^ (c & 1);
    }
    return {x: Float32Array.from(x), y};
  }
  const half = Math.floor(n / 2);
  const raw = [];
  if (name === "moons") {
    const nOut = half, nIn = n - half;
    for (let i = 0; i < nOut; i++) {
      const t = nOut > 1 ? Math.PI * i / (nOut - 1) : 0;
      raw.push([Math.cos(t), Math.sin(t), 0]);
    }
    for (let i = 0; i < nIn; i++) {
      const t = nIn > 1 ? Math.PI * i / (nIn - 1) : 0;
      raw.push([1 - Math.cos(t), 1 - Math.sin(t) - 0.5, 1]);
    }
  } else if (name === "circles") {
    const nOut = half, nIn = n - half;
    for (let i = 0; i < nOut; i++) {
      const t = 2 * Math.PI * i / nOut;
      raw.push([Math.cos(t), Math.sin(t), 0]);
    }
    for (let i = 0; i < nIn; i++) {
      const t = 2 * Math.PI * i / nIn;
      raw.push([0.5 * Math.cos(t), 0.5 * Math.sin(t), 1]);
    }
  } else if (name === "spiral") {
    // both arms share their angles, as in actbook.data.spiral (arm 0 gets the odd point)
    const turns = 1.5;
    const ts = Array.from({length: n - half}, () => Math.sqrt(r.uniform()) * 2 * Math.PI * turns);
    ts.forEach(t => raw.push([t * Math.cos(t), t * Math.sin(t), 0]));
    ts.slice(0, half).forEach(t => raw.push([-t * Math.cos(t), -t * Math.sin(t), 1]));
  } else {
    throw new Error(`unknown data set ${name}`);
  }
  const order = r.permutation(n);
  for (let i = 0; i < n; i++) {
    const [a, b, c] = raw[order[i]];
    x[2 * i] = a + noise * r.normal();
    x[2 * i + 1] = b + noise * r.normal();
    y[i] = c;
  }
  standardise(x, n);
  return {x: Float32Array.from(x), y};
}

// Shuffle and split off round(n * valFraction) validation points (at least 1).
export function split({x, y}, valFraction, seed) {
  const n = y.length, nVal = Math.min(Math.max(1, Math.round(n * valFraction)), n - 1);
  const order = rng(seed, 2).permutation(n);
  const take = idx => ({
    x: Float32Array.from(idx.flatMap(i => [x[2 * i], x[2 * i + 1]])),
    y: Int32Array.from(idx.map(i => y[i])),
  });
  const all = Array.from(order);
  return {train: take(all.slice(nVal)), val: take(all.slice(0, nVal))};
}

// --- Initial weights ------------------------------------------------------------------------
// The book's schemes (actbook.models.INITIALISATIONS), drawn with the playground's generator:
//   standard        U(+-1/sqrt(n_in)), zero biases            (Glorot & Bengio 2010)
//   glorot_uniform  U(+-sqrt(6/(n_in+n_out))), zero biases    (Glorot & Bengio 2010)
//   he_normal       normal, Var 2/n_in, truncated at 2 sd and rescaled as Keras does; zero biases
//   original        truncated normal with sd 0.1, biases 0.1  (the seed post)
//   nielsen         N(0, 1/n_in) kernels, N(0, 1) biases       (Nielsen 2015)
// hiddenBias (a number or null) overrides the hidden layers' biases.

export const INITIALISATIONS = ["standard", "glorot_uniform", "he_normal", "original", "nielsen"];

function truncatedNormal(r, sd) {
  for (;;) {
    const v = r.normal();
    if (Math.abs(v) <= 2) return v * sd;
  }
}

export function initialWeights(widths, acts, init, seed, hiddenBias = null) {
  const out = [];
  for (let l = 0; l < widths.length - 1; l++) {
    const hidden = l < widths.length - 2;
    const pieces = hidden && acts[l] === "maxout" ? ACTIVATIONS.maxout.pieces : 1;
    const fanIn = widths[l], units = widths[l + 1], cols = units * pieces;
    const r = rng(seed, 100 + l);
    const W = new Float32Array(fanIn * cols), b = new Float32Array(cols);
    for (let i = 0; i < W.length; i++) {
      if (init === "standard") W[i] = (2 * r.uniform() - 1) / Math.sqrt(fanIn);
      else if (init === "glorot_uniform") W[i] = (2 * r.uniform() - 1) * Math.sqrt(6 / (fanIn + cols));
      else if (init === "he_normal") W[i] = truncatedNormal(r, Math.sqrt(2 / fanIn) / 0.87962566103423978);
      else if (init === "original") W[i] = truncatedNormal(r, 0.1);
      else if (init === "nielsen") W[i] = r.normal() / Math.sqrt(fanIn);
      else throw new Error(`unknown initialisation ${init}`);
    }
    for (let i = 0; i < cols; i++) {
      if (hidden && hiddenBias !== null) b[i] = hiddenBias;
      else if (init === "original") b[i] = 0.1;
      else if (init === "nielsen") b[i] = r.normal();
    }
    out.push(W, b);
  }
  return out;
}

// --- The network ----------------------------------------------------------------------------

// Buffers for one forward/backward pass over m rows.
function buffers(net, m) {
  const z = [], h = [], dz = [];
  for (let l = 0; l < net.layers.length; l++) {
    const {cols, units} = net.layers[l];
    z.push(new Float32Array(m * cols));
    h.push(new Float32Array(m * units));
    dz.push(new Float32Array(m * cols));
  }
  return {m, z, h, dz, dh: new Float32Array(m * Math.max(...net.widths))};
}

export class Network {
  // widths: [2, hidden..., 2]; acts: one registry name per hidden layer; weights: Float32Arrays
  // in Keras get_weights() order [W1 (n_in x cols, row-major), b1, ..., W_out, b_out].
  constructor(widths, acts, weights) {
    this.widths = widths.slice();
    this.acts = acts.slice();
    this.layers = [];
    for (let l = 0; l < widths.length - 1; l++) {
      const hidden = l < widths.length - 2;
      const act = hidden ? acts[l] : "linear";
      const pieces = act === "maxout" ? ACTIVATIONS.maxout.pieces : 1;
      const units = widths[l + 1], cols = units * pieces, fanIn = widths[l];
      const W = Float32Array.from(weights[2 * l]), b = Float32Array.from(weights[2 * l + 1]);
      if (W.length !== fanIn * cols || b.length !== cols) {
        throw new Error(`layer ${l + 1}: expected ${fanIn}x${cols} weights`);
      }
      this.layers.push({act, A: ACTIVATIONS[act], pieces, units, cols, fanIn, hidden, W, b,
        gW: new Float32Array(W.length), gb: new Float32Array(cols)});
    }
    this._bufs = new Map();
  }

  weights() { return this.layers.flatMap(L => [L.W.slice(), L.b.slice()]); }

  _buf(m) {
    if (!this._bufs.has(m)) {
      if (this._bufs.size > 4) this._bufs.clear();
      this._bufs.set(m, buffers(this, m));
    }
    return this._bufs.get(m);
  }

  // Forward pass over rows `idx` of x (or all rows when idx is null); fills the buffers.
  forward(x, idx, m) {
    const B = this._buf(m);
    let input = null;
    for (let l = 0; l < this.layers.length; l++) {
      const L = this.layers[l], z = B.z[l], h = B.h[l], {cols, fanIn, W, b} = L;
      for (let i = 0; i < m; i++) {
        const row = idx ? idx[i] : i;
        for (let j = 0; j < cols; j++) {
          let s = 0;
          if (l === 0) {
            for (let k = 0; k < fanIn; k++) s += x[row * fanIn + k] * W[k * cols + j];
          } else {
            for (let k = 0; k < fanIn; k++) s += input[i * fanIn + k] * W[k * cols + j];
          }
          z[i * cols + j] = f32(s) + b[j];    // matmul, rounded, then the bias add
        }
      }
      if (L.act === "maxout") {
        const {units, pieces} = L;
        for (let i = 0; i < m; i++) {
          for (let u = 0; u < units; u++) {
            let best = z[i * cols + u];
            for (let p = 1; p < pieces; p++) best = Math.max(best, z[i * cols + p * units + u]);
            h[i * units + u] = best;
          }
        }
      } else if (L.hidden) {
        const f = L.A.f;
        for (let i = 0; i < m * cols; i++) h[i] = f(z[i]);
      } else {
        h.set(z.subarray(0, m * cols));
      }
      input = h;
    }
    return B;
  }

  // dloss/dlogits must be in B.dz[last]; accumulate gradients into gW, gb (and dz of every
  // layer). With firstLayer = false the input layer's kernel gradient is skipped (probes only).
  backward(x, idx, m, B, kernels = true) {
    for (let l = this.layers.length - 1; l >= 0; l--) {
      const L = this.layers[l], dz = B.dz[l], {cols, fanIn} = L;
      const input = l === 0 ? null : B.h[l - 1];
      if (kernels) {
        for (let k = 0; k < fanIn; k++) {
          for (let j = 0; j < cols; j++) {
            let s = 0;
            if (l === 0) {
              for (let i = 0; i < m; i++) s += x[(idx ? idx[i] : i) * fanIn + k] * dz[i * cols + j];
            } else {
              for (let i = 0; i < m; i++) s += input[i * fanIn + k] * dz[i * cols + j];
            }
            L.gW[k * cols + j] = s;
          }
        }
      }
      for (let j = 0; j < cols; j++) {
        let s = 0;
        for (let i = 0; i < m; i++) s += dz[i * cols + j];
        L.gb[j] = s;
      }
      if (l === 0) break;
      // dh of the layer below = dz W^T, then through its activation into its dz
      const P = this.layers[l - 1], dh = B.dh, W = L.W;
      for (let i = 0; i < m; i++) {
        for (let k = 0; k < fanIn; k++) {
          let s = 0;
          for (let j = 0; j < cols; j++) s += dz[i * cols + j] * W[k * cols + j];
          dh[i * fanIn + k] = s;
        }
      }
      const pz = B.z[l - 1], ph = B.h[l - 1], pdz = B.dz[l - 1];
      if (P.act === "maxout") {
        // TensorFlow's max gradient: split equally among the pieces that attain the maximum
        const {units, pieces, cols: pc} = P;
        for (let i = 0; i < m; i++) {
          for (let u = 0; u < units; u++) {
            const best = ph[i * units + u];
            let ties = 0;
            for (let p = 0; p < pieces; p++) if (pz[i * pc + p * units + u] === best) ties++;
            const g = f32(dh[i * units + u] / ties);
            for (let p = 0; p < pieces; p++) {
              pdz[i * pc + p * units + u] = pz[i * pc + p * units + u] === best ? g : 0;
            }
          }
        }
      } else {
        const df = P.A.df;
        for (let i = 0; i < m * P.cols; i++) pdz[i] = dh[i] * df(pz[i], ph[i]);
      }
    }
  }

  // Softmax cross-entropy of the logits in B against labels; writes
  // (softmax - onehot) * scale into B.dz[last]. Returns the float32 sum of -log p(label).
  _crossEntropy(B, y, idx, m, scale) {
    const last = this.layers.length - 1, logits = B.h[last], d = B.dz[last];
    const k = this.layers[last].cols;
    let total = 0;
    for (let i = 0; i < m; i++) {
      const label = y[idx ? idx[i] : i];
      let mx = -Infinity;
      for (let j = 0; j < k; j++) mx = Math.max(mx, logits[i * k + j]);
      let sum = 0;
      for (let j = 0; j < k; j++) sum += f32(Math.exp(f32(logits[i * k + j] - mx)));
      const lse = f32(Math.log(f32(sum)));
      for (let j = 0; j < k; j++) {
        const logp = f32(f32(logits[i * k + j] - mx) - lse);
        const p = f32(Math.exp(logp));
        if (j === label) total -= logp;
        d[i * k + j] = f32((p - (j === label ? 1 : 0)) * scale);
      }
    }
    return f32(total);
  }

  // One SGD step on rows idx (an Int32Array of the minibatch). Returns the minibatch loss;
  // when it is NaN or infinite the weights are left unchanged (the caller stops the run).
  step(x, y, idx, learningRate) {
    const m = idx.length, B = this.forward(x, idx, m);
    const inv = f32(1 / m);
    const loss = f32(this._crossEntropy(B, y, idx, m, inv) * inv);
    if (!Number.isFinite(loss)) return loss;
    this.backward(x, idx, m, B);
    const lr = f32(learningRate);
    for (const L of this.layers) {
      for (let i = 0; i < L.W.length; i++) L.W[i] = L.W[i] - f32(lr * L.gW[i]);
      for (let i = 0; i < L.b.length; i++) L.b[i] = L.b[i] - f32(lr * L.gb[i]);
    }
    return loss;
  }

  // Mean cross-entropy (nats) and accuracy on a whole set, as actbook.training.evaluate.
  evaluate(x, y) {
    const m = y.length, B = this.forward(x, null, m);
    const loss = f32(this._crossEntropy(B, y, null, m, 1) / m);
    return {loss, accuracy: this._accuracy(B, y, m)};
  }

  // Share of rows whose largest logit is the label's (ties: the first class, as tf.argmax).
  _accuracy(B, y, m) {
    const logits = B.h[this.layers.length - 1], k = this.layers[this.layers.length - 1].cols;
    let hits = 0;
    for (let i = 0; i < m; i++) {
      let best = 0;
      for (let j = 1; j < k; j++) if (logits[i * k + j] > logits[i * k + best]) best = j;
      if (best === y[i]) hits++;
    }
    return hits / m;
  }

  // The book's probes on a whole set (actbook.probes):
  //   gradNorms[l]  bias_gradient_norms: |d mean-cost / d bias| of hidden layer l
  //   dead[l]       dead_fraction: share of units whose pre-activation is <= 0 on every row
  //   deadAll       the same over all hidden units (layers weighted by width)
  //   saturation[l] saturation_fraction: share of (row, unit) pairs with f'(z) < 0.01 peak
  // dead and saturation are null for a maxout layer (it has no single pre-activation).
  // Also returns loss and accuracy on the set (as evaluate), from the same forward pass.
  probes(x, y) {
    const m = y.length, B = this.forward(x, null, m);
    const loss = f32(this._crossEntropy(B, y, null, m, f32(1 / m)) / m);
    const accuracy = this._accuracy(B, y, m);
    this.backward(x, null, m, B, false);
    const hidden = this.layers.filter(L => L.hidden);
    const gradNorms = [], dead = [], saturation = [];
    let deadUnits = 0, countedUnits = 0;
    hidden.forEach((L, l) => {
      let sq = 0;
      for (let j = 0; j < L.cols; j++) sq += L.gb[j] * L.gb[j];
      gradNorms.push(Math.sqrt(sq));
      if (L.act === "maxout") { dead.push(null); saturation.push(null); return; }
      const z = B.z[l], h = B.h[l], {cols} = L, limit = 0.01 * L.A.peak;
      let nDead = 0, nSat = 0;
      for (let j = 0; j < cols; j++) {
        let alive = false;
        for (let i = 0; i < m; i++) {
          const v = z[i * cols + j];
          if (v > 0) alive = true;
          if (L.A.df(v, h[i * cols + j]) < limit) nSat++;
        }
        if (!alive) nDead++;
      }
      dead.push(nDead / cols);
      saturation.push(nSat / (m * cols));
      deadUnits += nDead;
      countedUnits += cols;
    });
    return {gradNorms, dead, saturation, deadAll: countedUnits ? deadUnits / countedUnits : null,
      loss, accuracy};
  }

  // Hidden activations and class-1 probability on a grid of points (for the views):
  // returns {h: [Float32Array(m * units) per hidden layer], p1: Float32Array(m)}.
  grid(points, m) {
    const B = this.forward(points, null, m), last = this.layers.length - 1;
    const logits = B.h[last], p1 = new Float32Array(m);
    for (let i = 0; i < m; i++) p1[i] = 1 / (1 + Math.exp(logits[2 * i] - logits[2 * i + 1]));
    return {h: B.h.slice(0, last), p1};
  }
}

// --- A training run: data, network and minibatch order together --------------------------

// Minibatch order as actbook.training.train draws it: a fresh permutation of the training set
// each epoch, batches in order, the last n mod batch rows of each permutation skipped. The
// permutation is the playground's own (seeded by `seed`), not TensorFlow's stateless draw.
export class Order {
  constructor(n, batch, seed) {
    this.n = n; this.batch = batch; this.seed = seed;
    this.perEpoch = Math.floor(n / batch);
    this.epoch = -1; this.perm = null;
  }

  indices(step) {
    const epoch = Math.floor(step / this.perEpoch), k = step % this.perEpoch;
    if (epoch !== this.epoch) {
      this.perm = rng(this.seed + 7919 * epoch, 3).permutation(this.n);
      this.epoch = epoch;
    }
    return this.perm.subarray(k * this.batch, (k + 1) * this.batch);
  }
}

// Train `net` on (x, y) for `steps` steps with minibatches given by `order` (an object with
// indices(step) -> Int32Array, e.g. an Order or rows exported from actbook), starting at global
// step `start`. Returns {step, loss, diverged}: the next global step, the last minibatch loss,
// and whether training stopped at a non-finite loss (then `step` is the step that diverged and
// the weights are those from before it, as actbook.training.train reports it).
export function train(net, x, y, order, learningRate, steps, start = 0) {
  let loss = NaN;
  for (let s = start; s < start + steps; s++) {
    loss = net.step(x, y, order.indices(s), learningRate);
    if (!Number.isFinite(loss)) return {step: s, loss, diverged: true};
  }
  return {step: start + steps, loss, diverged: false};
}
