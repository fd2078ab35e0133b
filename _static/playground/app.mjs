// The playground page: controls, the training loop and the live views. The arithmetic is in
// engine.js, the URL rules in state.js; this file only wires them to the page.

import {ACTIVATIONS, INITIALISATIONS, Network, Order, initialWeights, makeData, split, train}
  from "./engine.mjs";
import {NOISE_DEFAULT, SPEC, VAL_FRACTION, parseQuery, parseValue, toQuery} from "./state.mjs";

const $ = id => document.getElementById(id);
const PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"];
const DASHES = [[], [6, 3], [2, 2], [8, 3, 2, 3], [1, 3], [10, 4]];
const GRID = 48;                      // decision regions and unit maps: GRID x GRID points
const HISTORY = 400;                  // points kept per chart (older ones thinned)
const SUMMARY_EVERY_MS = 3000;        // the screen-reader summary is updated at most this often
const UNITS_EVERY_MS = 100;           // the unit maps are redrawn at most this often
const DATA_LABELS = {xor: "noisy XOR", circles: "circles", moons: "two moons", spiral: "spiral"};
const INIT_LABELS = {standard: "standard U(±1/√n)", glorot_uniform: "Glorot uniform",
  he_normal: "He normal", original: "truncated normal 0.1 (the seed post)",
  nielsen: "Nielsen: weights N(0, 1/n_in), biases N(0, 1)"};

// Activations whose units can be dead in the book's sense (actbook.probes.dead_units): output 0
// and no gradient for z <= 0. For the others a unit with z <= 0 everywhere still has a non-zero
// output or gradient, so the dead-unit view is not defined for them.
const CAN_DIE = new Set(["relu"]);

let state, run, running = false, lastSummary = 0, lastUnits = 0;
const stats = {frames: 0, steps: 0, since: 0, trainMs: 0, drawMs: 0};   // for the benchmark (window.playground)

// --- Building a run from the state ---------------------------------------------------------

function buildRun() {
  const data = split(makeData(state.data, state.n, state.noise, state.seed), VAL_FRACTION,
    state.seed);
  const widths = [2, ...Array(state.depth).fill(state.width), 2];
  const net = new Network(widths, state.act,
    initialWeights(widths, state.act, state.init, state.seed, state.bias));
  const all = [...data.train.x, ...data.val.x];
  let lo = Math.min(...all), hi = Math.max(...all);
  const pad = 0.1 * (hi - lo || 1);
  lo -= pad; hi += pad;
  const points = new Float32Array(2 * GRID * GRID);
  for (let r = 0; r < GRID; r++) {
    for (let c = 0; c < GRID; c++) {
      points[2 * (r * GRID + c)] = lo + (c + 0.5) * (hi - lo) / GRID;
      points[2 * (r * GRID + c) + 1] = hi - (r + 0.5) * (hi - lo) / GRID;
    }
  }
  run = {data, net, order: new Order(data.train.y.length, state.batch, state.seed), step: 0,
    lo, hi, points, history: [], stride: 1, diverged: null};
  measure();
}

function measure() {
  const {net, data} = run;
  const p = net.probes(data.train.x, data.train.y), va = net.evaluate(data.val.x, data.val.y);
  const record = {step: run.step, acc: p.accuracy, valLoss: va.loss, valAcc: va.accuracy, ...p};
  run.latest = record;
  const h = run.history;
  if (!h.length || run.step - h[h.length - 1].step >= run.stride) h.push(record);
  if (h.length > HISTORY) {
    run.history = h.filter((_, i) => i % 2 === 0 || i === h.length - 1);
    run.stride *= 2;
  }
}

// --- Views ---------------------------------------------------------------------------------

function ctx2d(canvas) {
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  return ctx;
}

function mix(a, b, t) {   // two "#rrggbb" colours, t in [0, 1] -> [r, g, b]
  const p = s => [1, 3, 5].map(i => parseInt(s.slice(i, i + 2), 16));
  const [x, y] = [p(a), p(b)];
  return x.map((v, i) => Math.round(v + (y[i] - v) * t));
}

// Colour ramps from white to each class colour, 256 steps, as packed RGBA for ImageData.
const RAMPS = [0, 1].map(c => Uint32Array.from({length: 256}, (_, i) => {
  const [r, g, b] = mix("#ffffff", PALETTE[c], i / 255);
  return (255 << 24 | b << 16 | g << 8 | r) >>> 0;   // little-endian RGBA
}));
const ramp = (c, t) => RAMPS[c][Math.max(0, Math.min(255, Math.round(t * 255)))];

function drawRegions(g) {
  const canvas = $("pg-regions"), ctx = ctx2d(canvas), W = canvas.width;
  const img = ctx.createImageData(GRID, GRID);
  const pixels = new Uint32Array(img.data.buffer);
  for (let i = 0; i < GRID * GRID; i++) {
    const p = g.p1[i];
    pixels[i] = p >= 0.5 ? ramp(1, (p - 0.5) * 1.3) : ramp(0, (0.5 - p) * 1.3);
  }
  const tmp = document.createElement("canvas");
  tmp.width = tmp.height = GRID;
  tmp.getContext("2d").putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(tmp, 0, 0, W, W);
  const {lo, hi} = run, sx = v => (v - lo) / (hi - lo) * W, sy = v => (hi - v) / (hi - lo) * W;
  for (const [set, hollow] of [[run.data.train, false], [run.data.val, true]]) {
    for (let i = 0; i < set.y.length; i++) {
      const x = sx(set.x[2 * i]), y = sy(set.x[2 * i + 1]), c = set.y[i];
      ctx.beginPath();
      if (c === 0) ctx.arc(x, y, 3, 0, 2 * Math.PI);
      else { ctx.moveTo(x, y - 3.6); ctx.lineTo(x + 3.3, y + 2.6); ctx.lineTo(x - 3.3, y + 2.6); ctx.closePath(); }
      ctx.strokeStyle = "#222";
      ctx.lineWidth = 0.8;
      if (hollow) { ctx.fillStyle = "#fff"; } else { ctx.fillStyle = PALETTE[c]; }
      ctx.fill();
      ctx.stroke();
    }
  }
}

// A line chart of several series over the recorded steps; log scale on request.
function lineChart(id, series, {log = false, min = null, max = null} = {}) {
  const canvas = $(id), ctx = ctx2d(canvas), W = canvas.width, H = canvas.height;
  const h = run.history, left = 44, bottom = 18, top = 6, right = 6;
  const tf = v => (log ? Math.log10(v) : v);
  const values = series.flatMap(s => h.map(s.get)).filter(v => v !== null && Number.isFinite(v) && (!log || v > 0));
  let lo = min ?? (values.length ? Math.min(...values.map(tf)) : 0);
  let hi = max ?? (values.length ? Math.max(...values.map(tf)) : 1);
  // log scale: exact zeros get their own band, one decade below the rest, labelled "0"
  const zeros = log && series.some(s => h.some(r => s.get(r) === 0));
  if (log) { lo = Math.floor(lo); hi = Math.max(Math.ceil(hi), lo + 1); if (zeros) lo -= 1; }
  if (hi - lo < 1e-9) { hi = lo + 1; }
  const x0 = h.length ? h[0].step : 0, x1 = Math.max(h.length ? h[h.length - 1].step : 1, x0 + 1);
  const px = s => left + (s - x0) / (x1 - x0) * (W - left - right);
  const py = v => top + (hi - tf(v)) / (hi - lo) * (H - top - bottom);
  ctx.font = "10px sans-serif";
  ctx.fillStyle = "#333";
  ctx.strokeStyle = "#bbb";
  ctx.lineWidth = 1;
  ctx.strokeRect(left, top, W - left - right, H - top - bottom);
  const ticks = log ? Array.from({length: hi - lo + 1}, (_, i) => lo + i) : [lo, (lo + hi) / 2, hi];
  const step = Math.max(1, Math.ceil(ticks.length / 5));
  ticks.forEach((t, i) => {
    if (i % step) return;
    const y = top + (hi - t) / (hi - lo) * (H - top - bottom);
    ctx.fillText(log ? (zeros && t === lo ? "0" : `1e${t}`) : t.toPrecision(2), 2, y + 3);
  });
  ctx.fillText(`step ${x0}`, left, H - 4);
  const end = `${x1}`;
  ctx.fillText(end, W - right - ctx.measureText(end).width, H - 4);
  series.forEach((s, k) => {
    ctx.strokeStyle = PALETTE[k % PALETTE.length];
    ctx.setLineDash(DASHES[k % DASHES.length]);
    ctx.lineWidth = 1.6;
    ctx.beginPath();
    let pen = false;
    for (const r of h) {
      const v = s.get(r);
      if (v === null || !Number.isFinite(v) || (log && v < 0)) { pen = false; continue; }
      // log scale: an exact 0 has no place on the axis; it is drawn pinned to the bottom edge
      if (log && pen && (v === 0) !== (pen === "zero")) pen = false;   // no line across the gap
      const y = log && v === 0 ? H - bottom - 2 : Math.min(Math.max(py(v), top), H - bottom);
      if (pen) ctx.lineTo(px(r.step), y); else ctx.moveTo(px(r.step), y);
      pen = log && v === 0 ? "zero" : true;
    }
    ctx.stroke();
  });
  ctx.setLineDash([]);
}

function setText(id, text) {
  const el = $(id);
  if (el.textContent !== text) el.textContent = text;
}

// names[i] is drawn in the style of series index[i] (default: i).
function legend(id, names, index = null) {
  const el = $(id);
  const html = names.map((n, i) => index ? [n, index[i]] : [n, i]).map(([n, k]) => `<span class="pg-key"><svg width="22" height="8" aria-hidden="true">` +
    `<line x1="0" y1="4" x2="22" y2="4" stroke="${PALETTE[k % PALETTE.length]}" stroke-width="2" ` +
    `stroke-dasharray="${DASHES[k % DASHES.length].join(" ")}"/></svg>${n}</span>`).join(" ");
  if (el.innerHTML !== html) el.innerHTML = html;
}

function drawUnits(g) {
  const box = $("pg-units");
  const want = state.act.map((a, l) => `${l}:${a}:${state.width}`).join("|");
  if (box.dataset.layout !== want) {
    box.dataset.layout = want;
    box.innerHTML = state.act.map((a, l) => `<div class="pg-unit-row"><span class="pg-unit-label">` +
      `layer ${l + 1}, ${ACTIVATIONS[a].label}</span>` + Array.from({length: state.width}, (_, u) =>
      `<canvas width="${GRID}" height="${GRID}" class="pg-unit" role="img" ` +
      `aria-label="output of unit ${u + 1} of hidden layer ${l + 1} over the input plane"></canvas>`).join("") +
      "</div>").join("") || "<p>No hidden layers: the network is a linear model.</p>";
  }
  const rows = box.querySelectorAll(".pg-unit-row");
  g.h.forEach((h, l) => {
    const canvases = rows[l].querySelectorAll("canvas"), units = state.width;
    canvases.forEach((canvas, u) => {
      let scale = 0;
      for (let i = 0; i < GRID * GRID; i++) scale = Math.max(scale, Math.abs(h[i * units + u]));
      const ctx = canvas.getContext("2d"), img = ctx.createImageData(GRID, GRID);
      const pixels = new Uint32Array(img.data.buffer);
      for (let i = 0; i < GRID * GRID; i++) {
        const v = scale > 0 ? h[i * units + u] / scale : 0;
        pixels[i] = v >= 0 ? ramp(1, v) : ramp(0, -v);
      }
      ctx.putImageData(img, 0, 0);
    });
  });
}

function pct(v) { return v === null ? "n/a" : `${(100 * v).toFixed(1)} %`; }

// The share of dead units over the hidden layers whose activation can die (ReLU), weighted by
// width (all hidden layers have the same width); null when there is no such layer.
function deadShare(r) {
  const d = r.dead.filter((v, l) => v !== null && CAN_DIE.has(state.act[l]));
  return d.length ? d.reduce((a, b) => a + b, 0) / d.length : null;
}

function zeroGradLayers(r) {
  return r.gradNorms.map((g, l) => (g === 0 ? l + 1 : null)).filter(l => l !== null);
}

function summary() {
  const r = run.latest;
  const share = deadShare(r);
  const dead = share === null ? "" : ` Dead ReLU units: ${pct(share)} of the ReLU layers' units.`;
  const sat = r.saturation.filter(v => v !== null);
  const satText = sat.length ? ` Saturated (f' below 1 % of its peak, ReLU's zero side included): ` +
    `${pct(sat.reduce((a, b) => a + b, 0) / sat.length)} (mean over layers).` : "";
  const zero = zeroGradLayers(r);
  const zeroText = zero.length ? ` Gradient exactly 0 in layer${zero.length > 1 ? "s" : ""} ${zero.join(", ")}.` : "";
  return `Step ${run.step}. Training loss ${r.loss.toFixed(3)}, validation loss ` +
    `${r.valLoss.toFixed(3)}, validation accuracy ${pct(r.valAcc)}.${dead}${satText}${zeroText}`;
}

function draw(force = false) {
  const now = performance.now();
  const g = run.net.grid(run.points, GRID * GRID);
  drawRegions(g);
  lineChart("pg-loss", [{get: r => r.loss}, {get: r => r.valLoss}], {log: true});
  const layers = state.act.map((a, l) => `layer ${l + 1}`);
  lineChart("pg-grad", layers.map((_, l) => ({get: r => r.gradNorms[l]})), {log: true});
  const dying = state.act.map(a => CAN_DIE.has(a));
  lineChart("pg-dead", layers.map((_, l) => ({get: r => (dying[l] ? r.dead[l] : null)})), {min: 0, max: 1});
  lineChart("pg-sat", layers.map((_, l) => ({get: r => r.saturation[l]})), {min: 0, max: 1});
  for (const id of ["pg-grad-key", "pg-sat-key"]) legend(id, layers);
  legend("pg-dead-key", layers.filter((_, l) => dying[l]), layers.map((_, l) => l).filter(l => dying[l]));
  const others = state.act.map((a, l) => [a, l]).filter(([a]) => !CAN_DIE.has(a));
  setText("pg-dead-note", !others.length ? "" : "Not defined for layer " +
    others.map(([a, l]) => `${l + 1} (${ACTIVATIONS[a].label})`).join(", ") + ": only a ReLU unit " +
    "outputs 0 and gets no gradient for z ≤ 0; other units there still have a non-zero output " +
    "or gradient" + (others.some(([a]) => a === "maxout") ? " (maxout has no single pre-activation)." : "."));
  $("pg-dead").classList.toggle("pg-off", dying.every(d => !d));
  const zero = zeroGradLayers(run.latest);
  setText("pg-grad-note", zero.length ? `Gradient exactly 0 in layer${zero.length > 1 ? "s" : ""} ` +
    `${zero.join(", ")} (drawn along the bottom edge, labelled 0: 0 has no place on a log scale).` : "");
  // the unit maps are the costliest view: at most UNITS_EVERY_MS apart while training
  if (force || now - lastUnits >= UNITS_EVERY_MS) {
    drawUnits(g);
    lastUnits = now;
  }
  const r = run.latest;
  $("pg-readout").textContent = `step ${run.step} · loss: training ${r.loss.toFixed(3)}, ` +
    `validation ${r.valLoss.toFixed(3)} · accuracy: training ${pct(r.acc)}, validation ${pct(r.valAcc)}`;
  if (force || now - lastSummary >= SUMMARY_EVERY_MS) {
    $("pg-summary").textContent = summary();
    lastSummary = now;
  }
}

// --- Training loop -------------------------------------------------------------------------

function advance(steps) {
  const {data, net, order} = run;
  const r = train(net, data.train.x, data.train.y, order, state.lr, steps, run.step);
  stats.steps += r.step - run.step;
  run.step = r.step;
  if (r.diverged) {
    run.diverged = r.step;
    setRunning(false);
    status(`Training stopped at step ${r.step}: the minibatch loss became ${r.loss} ` +
      `(learning rate ${state.lr}). The weights are those before that step; try a smaller ` +
      "learning rate, then Reset.", true);
  }
  measure();
}

function frame() {
  if (!running) return;
  const t0 = performance.now();
  advance(Number($("pg-speed").value));
  const t1 = performance.now();
  draw();
  stats.trainMs += t1 - t0;
  stats.drawMs += performance.now() - t1;
  stats.frames++;
  if (running) requestAnimationFrame(frame);
}

function syncButtons() {
  const button = $("pg-start");
  button.textContent = running ? "Pause" : "Start";
  button.setAttribute("aria-pressed", String(running));
  $("pg-step").disabled = running || run.diverged !== null;
}

function setRunning(on) {
  running = on && run.diverged === null;
  syncButtons();
  if (running) { Object.assign(stats, {frames: 0, steps: 0, trainMs: 0, drawMs: 0, since: performance.now()}); requestAnimationFrame(frame); }
  else $("pg-summary").textContent = summary();
}

function status(text, isError = false) {
  const el = $("pg-status");
  el.textContent = text;
  el.classList.toggle("pg-error", isError);
}

// --- Controls ------------------------------------------------------------------------------

const FIELDS = ["data", "noise", "n", "depth", "width", "init", "bias", "lr", "batch", "seed"];

function fillControls() {
  for (const key of FIELDS) {
    const el = $(`pg-${key}`);
    el.value = state[key] === null ? "" : String(state[key]);
    el.removeAttribute("aria-invalid");
    $(`pg-${key}-error`).textContent = "";
  }
  renderActs();
}

function renderActs() {
  const box = $("pg-acts");
  const options = Object.entries(ACTIVATIONS).map(([k, a]) => `<option value="${k}">${a.label}</option>`).join("");
  box.innerHTML = state.act.map((a, l) => `<div class="pg-field"><label for="pg-act-${l}">` +
    `Activation, layer ${l + 1}</label><select id="pg-act-${l}" data-layer="${l}">${options}</select></div>`).join("");
  state.act.forEach((a, l) => { $(`pg-act-${l}`).value = a; });
}

function applyState(next) {
  if (run) setRunning(false);
  state = next;
  try {
    history.replaceState(null, "", `${location.pathname}?${toQuery(state)}${location.hash}`);
  } catch (e) { /* a file:// page may refuse; the link below still carries the state */ }
  $("pg-link").href = `?${toQuery(state)}`;
  buildRun();
  syncButtons();
  status("");
  draw(true);
}

function onChange(event) {
  const el = event.target;
  if (el.dataset.layer !== undefined) {
    const act = state.act.slice();
    act[Number(el.dataset.layer)] = el.value;
    applyState({...state, act});
    return;
  }
  const key = el.id.slice(3);
  if (!FIELDS.includes(key)) return;
  const r = parseValue(key, el.value.trim());
  const error = $(`pg-${key}-error`);
  if (r.error) {
    // the box shows the value in use again, so Start never trains with something else
    el.value = state[key] === null ? "" : String(state[key]);
    el.setAttribute("aria-invalid", "true");
    error.textContent = `${r.error}. The run keeps ${key} = ${state[key] === null ? "none" : state[key]}` +
      ` (shown in the box again).`;
    return;
  }
  el.removeAttribute("aria-invalid");
  error.textContent = "";
  const next = {...state, [key]: r.value};
  if (key === "data") next.noise = NOISE_DEFAULT[r.value];
  if (key === "depth") {
    next.act = Array.from({length: r.value}, (_, l) => state.act[l] ?? state.act[state.act.length - 1] ?? SPEC.act.default);
  }
  // batch must fit the training set: re-check the whole state the way a URL is checked
  const {state: checked, errors} = parseQuery(toQuery(next));
  applyState(checked);
  fillControls();
  if (errors.length) {   // after fillControls, which clears the messages
    el.setAttribute("aria-invalid", "true");
    error.textContent = `${errors.join("; ")}.`;
  }
  $(el.id)?.focus();
}

function init() {
  const root = $("pg-app");
  if (!root) return;
  $("pg-data").innerHTML = SPEC.data.choices.map(d => `<option value="${d}">${DATA_LABELS[d]}</option>`).join("");
  $("pg-init").innerHTML = INITIALISATIONS.map(d => `<option value="${d}">${INIT_LABELS[d]}</option>`).join("");
  const parsed = parseQuery(location.search);
  const messages = $("pg-messages");
  if (parsed.errors.length) {
    messages.innerHTML = "<p><strong>Some settings in the link were not used:</strong></p><ul>" +
      parsed.errors.map(e => `<li>${e.replace(/[<>&]/g, c => ({"<": "&lt;", ">": "&gt;", "&": "&amp;"})[c])}</li>`).join("") + "</ul>";
    messages.hidden = false;
  }
  state = parsed.state;
  fillControls();
  $("pg-controls").addEventListener("change", onChange);
  $("pg-controls").addEventListener("submit", e => e.preventDefault());
  $("pg-start").addEventListener("click", () => setRunning(!running));
  $("pg-step").addEventListener("click", () => { if (!running && run.diverged === null) { advance(1); draw(true); } });
  $("pg-reset").addEventListener("click", () => applyState(state));
  applyState(state);
  root.classList.add("pg-ready");
  window.playground = {
    get state() { return structuredClone(state); }, get run() { return run; }, stats,
    start: () => setRunning(true), pause: () => setRunning(false),
  };
}

init();
