// A tiny character-level recurrent language model and a tiny convolutional detector, run by
// TensorFlow.js on its pure-JavaScript CPU backend. Weights are seeded random numbers (nothing
// is downloaded), so the text is gibberish, but every token costs real tensor math: an
// embedding lookup, a recurrent cell and an output projection with a full softmax over the
// vocabulary. inferbench calls generate / stream / streamAsync / predict in process.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';

const VOCAB = [...' abcdefghijklmnopqrstuvwxyz.,'];
const HIDDEN = 256;
const EMBED = 64;
let w;

export async function setup() {
  await tf.setBackend('cpu');
  await tf.ready();
  const init = (shape, seed) => tf.randomNormal(shape, 0, 1 / Math.sqrt(shape[0]), 'float32', seed);
  w = {
    embed: init([VOCAB.length, EMBED], 1),
    wx: init([EMBED, HIDDEN], 2),
    wh: init([HIDDEN, HIDDEN], 3),
    out: init([HIDDEN, VOCAB.length], 4),
    conv: init([3, 3, 3, 16], 5),
    head: init([16, 5], 6),
  };
}

export function teardown() {
  for (const t of Object.values(w ?? {})) t.dispose();
}

/** One decoding step: next token id and the new hidden state (greedy). */
function step(tokenId, h) {
  return tf.tidy(() => {
    const x = tf.gather(w.embed, [tokenId]);
    const hNext = tf.tanh(tf.add(tf.matMul(x, w.wx), tf.matMul(h, w.wh)));
    const probs = tf.softmax(tf.matMul(hNext, w.out));
    const next = tf.argMax(probs, 1).dataSync()[0];
    return { next, h: tf.keep(hNext) };
  });
}

/** The decoding loop every mode shares; `emit` receives each token as it is produced. */
function decode(input, emit) {
  const n = input?.tokens ?? 32;
  let h = tf.zeros([1, HIDDEN]);
  let id = (input?.seed ?? 0) % VOCAB.length;
  for (let i = 0; i < n; i++) {
    const r = step(id, h);
    h.dispose();
    h = r.h;
    id = r.next;
    emit(VOCAB[id]);
  }
  h.dispose();
}

export function generate(input) {
  const out = [];
  decode(input, (t) => out.push(t));
  return out;
}

export function stream(input, onToken) {
  decode(input, onToken);
}

export async function* streamAsync(input) {
  const n = input?.tokens ?? 32;
  let h = tf.zeros([1, HIDDEN]);
  let id = (input?.seed ?? 0) % VOCAB.length;
  try {
    for (let i = 0; i < n; i++) {
      const r = step(id, h);
      h.dispose();
      h = r.h;
      id = r.next;
      yield VOCAB[id];
    }
  } finally {
    h.dispose();
  }
}

/** Frames (raw RGB, square) in, one box per frame out: conv → ReLU → global average pool → head. */
export function predict(batch) {
  return tf.tidy(() => {
    const side = Math.round(Math.sqrt(batch[0].length / 3));
    const pixels = tf.tensor4d(Float32Array.from(Buffer.concat(batch), (v) => v / 255), [batch.length, side, side, 3]);
    const features = tf.mean(tf.relu(tf.conv2d(pixels, w.conv, 2, 'same')), [1, 2]);
    const boxes = tf.sigmoid(tf.matMul(features, w.head)).arraySync();
    return boxes.map(([x, y, bw, bh, score]) => ({ x, y, w: bw, h: bh, score }));
  });
}
