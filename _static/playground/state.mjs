// The playground's state and its URL: every setting of a run lives in the query string, so a
// link reproduces the run exactly. The same rules are implemented in Python by
// actbook.playground (which builds the chapters' deep links); tests/test_playground.py checks
// that the two agree on SPEC and on good and bad queries.

import {ACTIVATIONS, INITIALISATIONS} from "./engine.mjs";

export const DATASETS = ["xor", "circles", "moons", "spiral"];
export const ACTIVATION_NAMES = Object.keys(ACTIVATIONS);
// Noise when the URL gives none: actbook.data's default for each set (XOR: half-width of the
// uniform jitter; the others: standard deviation of Gaussian noise before standardising).
export const NOISE_DEFAULT = {xor: 0.05, circles: 0.1, moons: 0.1, spiral: 0.2};
export const VAL_FRACTION = 0.2;

// kind, allowed range or choices, default. min/max are inclusive unless minExclusive.
export const SPEC = {
  data: {kind: "choice", choices: DATASETS, default: "xor"},
  noise: {kind: "float", min: 0, max: 0.45, default: null},
  n: {kind: "int", min: 50, max: 2000, default: 1000},
  depth: {kind: "int", min: 0, max: 6, default: 2},
  width: {kind: "int", min: 1, max: 16, default: 8},
  act: {kind: "acts", choices: ACTIVATION_NAMES, default: "relu"},
  init: {kind: "choice", choices: INITIALISATIONS, default: "glorot_uniform"},
  lr: {kind: "float", min: 0, max: 10, minExclusive: true, default: 0.1},
  batch: {kind: "int", min: 1, max: 256, default: 32},
  seed: {kind: "int", min: 0, max: 2000000, default: 0},
  bias: {kind: "optional-float", min: -1, max: 1, default: null},
};

const INT = /^[0-9]{1,9}$/;
const FLOAT = /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]{1,3})?$/;

function describe(spec) {
  if (spec.kind === "choice") return `one of ${spec.choices.join(", ")}`;
  if (spec.kind === "acts") return `one of ${spec.choices.join(", ")}, or one per hidden layer separated by commas`;
  const open = spec.minExclusive ? "(" : "[";
  const what = spec.kind === "int" ? "an integer" : "a number";
  return `${what} in ${open}${spec.min}, ${spec.max}]` + (spec.kind === "optional-float" ? " or empty" : "");
}

// The default of a parameter, in words (for the messages about a bad link).
export function describeDefault(name) {
  if (name === "noise") return "the data set's own (" +
    Object.entries(NOISE_DEFAULT).map(([d, v]) => `${d} ${v}`).join(", ") + ")";
  if (name === "bias") return "none (the initialisation's own biases)";
  return String(SPEC[name].default);
}

// Parse one value; returns {value} or {error}.
export function parseValue(name, text) {
  const spec = SPEC[name];
  const bad = () => ({error: `${name}=${JSON.stringify(text.slice(0, 40))} is not allowed: ` +
    `${name} must be ${describe(spec)}`});
  if (spec.kind === "choice") return spec.choices.includes(text) ? {value: text} : bad();
  if (spec.kind === "acts") {
    const parts = text.split(",");
    return parts.length <= 6 && parts.every(p => spec.choices.includes(p)) ? {value: parts} : bad();
  }
  if (spec.kind === "optional-float" && text === "") return {value: null};
  const re = spec.kind === "int" ? INT : FLOAT;
  if (!re.test(text)) return bad();
  const v = Number(text);
  if (!Number.isFinite(v) || v > spec.max || v < spec.min || (spec.minExclusive && v === spec.min)) {
    return bad();
  }
  return {value: v};
}

// The state of a query string: {state, errors}. Every unknown, repeated, malformed or
// out-of-range parameter gives a message in `errors`, and its default is used instead.
export function parseQuery(query) {
  const params = new URLSearchParams(query);
  const errors = [], given = {};
  for (const [key, text] of params) {
    if (!(key in SPEC)) { errors.push(`unknown parameter ${JSON.stringify(key.slice(0, 40))} ignored`); continue; }
    if (key in given) { errors.push(`${key} is given more than once; the first value is used`); continue; }
    const r = parseValue(key, text);
    if (r.error) errors.push(`${r.error}; using the default, ${describeDefault(key)}`);
    else given[key] = r.value;
  }
  const state = {};
  for (const [key, spec] of Object.entries(SPEC)) {
    state[key] = key in given ? given[key] : spec.default;
  }
  if (state.noise === null) state.noise = NOISE_DEFAULT[state.data];
  const acts = Array.isArray(state.act) ? state.act : [state.act];
  if (acts.length === 1) state.act = Array(state.depth).fill(acts[0]);
  else if (acts.length === state.depth) state.act = acts;
  else {
    errors.push(`act gives ${acts.length} activations for ${state.depth} hidden layers; ` +
      `using ${SPEC.act.default} in every layer`);
    state.act = Array(state.depth).fill(SPEC.act.default);
  }
  const nTrain = state.n - Math.min(Math.max(1, Math.round(state.n * VAL_FRACTION)), state.n - 1);
  if (state.batch > nTrain) {
    errors.push(`batch=${state.batch} is larger than the ${nTrain} training points; using ` +
      `${Math.min(SPEC.batch.default, nTrain)}`);
    state.batch = Math.min(SPEC.batch.default, nTrain);
  }
  return {state, errors};
}

// The query string of a state (every parameter written out, so a link never depends on
// today's defaults).
export function toQuery(state) {
  const q = new URLSearchParams();
  for (const key of Object.keys(SPEC)) {
    const v = state[key];
    if (key === "act") q.set(key, v.length && v.every(a => a === v[0]) ? v[0] : v.join(","));
    else if (key === "bias") { if (v !== null) q.set(key, String(v)); }
    else q.set(key, String(v));
  }
  if (!state.act.length) q.set("act", SPEC.act.default);
  return q.toString().replaceAll("%2C", ",");
}
