#!/usr/bin/env node
/**
 * Writes a tiny ONNX model (a character-level recurrent cell with seeded random weights) from
 * the ONNX protobuf format itself, so onnxruntime has a real graph to run where no model can
 * be downloaded. One decoding step:
 *
 *   h' = Tanh(x · Wx + h · Wh)      x: [1, EMBED] (the previous token's embedding), h: [1, HIDDEN]
 *   logits = h' · Wo                 [1, VOCAB]
 *
 * with Wx, Wh, Wo as initializers (opset 13, IR version 8). `node make-model.mjs [out.onnx] [--seed N]`.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../seeded-random.mjs';

export const SHAPE = Object.freeze({ vocab: 96, embed: 64, hidden: 256 });
const FLOAT = 1; // TensorProto.DataType.FLOAT

/** Protobuf wire encoding: varints, and fields of wire type 0 (varint) or 2 (length-delimited). */
function varint(n) {
  const out = [];
  let v = BigInt(n);
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return Buffer.from(out);
}
const key = (field, wire) => varint((field << 3) | wire);
const int = (field, n) => Buffer.concat([key(field, 0), varint(n)]);
const bytes = (field, buf) => Buffer.concat([key(field, 2), varint(buf.length), buf]);
const str = (field, s) => bytes(field, Buffer.from(s, 'utf8'));
const msg = (field, ...parts) => bytes(field, Buffer.concat(parts));

// ONNX field numbers (onnx.proto): ModelProto, GraphProto, NodeProto, TensorProto, ValueInfoProto.
const node = (op, inputs, outputs, name) => msg(1, ...inputs.map((i) => str(1, i)), ...outputs.map((o) => str(2, o)), str(3, name), str(4, op));
const tensor = (name, dims, data) => msg(5, ...dims.map((d) => int(1, d)), int(2, FLOAT), str(8, name), bytes(9, Buffer.from(data.buffer, data.byteOffset, data.byteLength)));
const valueInfo = (field, name, dims) => msg(field, str(1, name), msg(2, msg(1, int(1, FLOAT), msg(2, ...dims.map((d) => msg(1, int(1, d)))))));

export function weights(seed = 11, shape = SHAPE) {
  const random = seededRandom(seed);
  const normal = (std) => std * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const fill = (count, std) => Float32Array.from({ length: count }, () => normal(std));
  return {
    embedding: fill(shape.vocab * shape.embed, 1),
    wx: fill(shape.embed * shape.hidden, 1 / Math.sqrt(shape.embed)),
    wh: fill(shape.hidden * shape.hidden, 1 / Math.sqrt(shape.hidden)),
    wo: fill(shape.hidden * shape.vocab, 1 / Math.sqrt(shape.hidden)),
  };
}

/** The ONNX file (the embedding table is returned beside it: the decoding loop looks tokens up itself). */
export function onnxModel({ seed = 11, shape = SHAPE } = {}) {
  const w = weights(seed, shape);
  const { embed: e, hidden: h, vocab: v } = shape;
  const graph = Buffer.concat([
    node('MatMul', ['x', 'Wx'], ['xw'], 'input_projection'),
    node('MatMul', ['h', 'Wh'], ['hw'], 'recurrent_projection'),
    node('Add', ['xw', 'hw'], ['pre'], 'sum'),
    node('Tanh', ['pre'], ['h_next'], 'cell'),
    node('MatMul', ['h_next', 'Wo'], ['logits'], 'output_projection'),
    str(2, 'tiny_recurrent_lm'),
    tensor('Wx', [e, h], w.wx),
    tensor('Wh', [h, h], w.wh),
    tensor('Wo', [h, v], w.wo),
    valueInfo(11, 'x', [1, e]),
    valueInfo(11, 'h', [1, h]),
    valueInfo(12, 'h_next', [1, h]),
    valueInfo(12, 'logits', [1, v]),
  ]);
  const model = Buffer.concat([int(1, 8), str(2, 'inferbench make-model.mjs'), bytes(7, graph), msg(8, str(1, ''), int(2, 13))]);
  return { model, embedding: w.embedding };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const seedAt = args.indexOf('--seed');
  const seed = seedAt >= 0 ? Number(args.splice(seedAt, 2)[1]) : 11;
  const out = args[0] ?? 'tiny-rnn.onnx';
  const { model } = onnxModel({ seed });
  writeFileSync(out, model);
  console.error(`wrote ${out} (${(model.length / 1e6).toFixed(2)} MB, seed ${seed})`);
}
