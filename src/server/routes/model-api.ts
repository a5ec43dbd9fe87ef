/**
 * A stateful REST model API, the shape of the stress notebook's target (FastAPI style):
 *   POST /fit/{series_id}      {timestamps: number[], values: number[]} → fits and keeps the series
 *   POST /predict/{series_id}  any JSON body → a prediction from the fitted series; 404 if never fit
 * Validation answers as FastAPI does: 422 with `detail: [{loc, msg, type}]` for a body of the wrong
 * shape, 400 with `detail: "..."` for a well-formed body the model refuses (timestamps that do not
 * increase, constant values). Every answer waits the server's drawn delay (`echoDelayMs`) and
 * honours its faults; ground truth records each call with its path, so a test can check which
 * series were fit and predicted.
 */
import { vllmErrorBody } from '../error-body.js';
import { RequestError, type RouteContext } from '../route-context.js';
import type { Router } from '../router.js';

interface FittedSeries {
  timestamps: number[];
  values: number[];
  /** How many times this series was fit (a refit replaces the data). */
  fits: number;
}

/** The series fit so far, per server; exposed for tests through GET /model-api/series. */
export type SeriesStore = Map<string, FittedSeries>;

export function registerModelApiRoutes(router: Router): SeriesStore {
  const series: SeriesStore = new Map();
  router.add('POST', '/fit/:series_id', async (context) => {
    const body = await readJsonBody(context);
    const problem = shapeProblem(body);
    if (problem) return answerAfterDelay(context, 422, { detail: [problem] });
    const { timestamps, values } = body as { timestamps: number[]; values: number[] };
    const refusal = modelRefusal(timestamps, values);
    if (refusal) return answerAfterDelay(context, 400, { detail: refusal });
    const id = context.params.series_id!;
    const fits = (series.get(id)?.fits ?? 0) + 1;
    series.set(id, { timestamps, values, fits });
    return answerAfterDelay(context, 200, { series_id: id, status: 'fitted', n_points: values.length, model_version: String(fits - 1) });
  });
  router.add('POST', '/predict/:series_id', async (context) => {
    await readJsonBody(context);
    const id = context.params.series_id!;
    const fitted = series.get(id);
    if (!fitted) return answerAfterDelay(context, 404, { detail: `series ${JSON.stringify(id)} was never fit; POST /fit/${id} first` });
    const mean = fitted.values.reduce((a, b) => a + b, 0) / fitted.values.length;
    return answerAfterDelay(context, 200, { series_id: id, prediction: mean, version: context.url.searchParams.get('version') ?? String(fitted.fits - 1) });
  });
  router.add(
    'GET',
    '/model-api/series',
    (context) => context.sendJson(200, { series: [...series].map(([id, s]) => ({ series_id: id, n_points: s.values.length, fits: s.fits })) }),
    { groundTruth: false },
  );
  return series;
}

async function readJsonBody(context: RouteContext): Promise<unknown> {
  try {
    return await context.readJson();
  } catch (err) {
    // FastAPI answers malformed JSON with 422 too.
    if (err instanceof RequestError) throw new RequestError(422, err.message);
    throw err;
  }
}

/** The first reason the body is not `{timestamps: number[], values: number[]}` of one length ≥ 2, as a FastAPI error item. */
function shapeProblem(body: unknown): { loc: (string | number)[]; msg: string; type: string } | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { loc: ['body'], msg: 'Input should be a valid dictionary', type: 'dict_type' };
  const b = body as Record<string, unknown>;
  for (const field of ['timestamps', 'values']) {
    const v = b[field];
    if (v === undefined) return { loc: ['body', field], msg: 'Field required', type: 'missing' };
    if (!Array.isArray(v)) return { loc: ['body', field], msg: 'Input should be a valid list', type: 'list_type' };
    const bad = v.findIndex((x) => typeof x !== 'number' || !Number.isFinite(x));
    if (bad >= 0) return { loc: ['body', field, bad], msg: 'Input should be a valid number', type: 'float_type' };
  }
  const ts = b.timestamps as number[];
  const vs = b.values as number[];
  if (ts.length < 2) return { loc: ['body', 'timestamps'], msg: 'List should have at least 2 items', type: 'too_short' };
  if (ts.length !== vs.length) return { loc: ['body', 'values'], msg: `values should have as many items as timestamps (${ts.length})`, type: 'value_error' };
  return undefined;
}

function modelRefusal(timestamps: number[], values: number[]): string | undefined {
  for (let i = 1; i < timestamps.length; i++) {
    if (!(timestamps[i]! > timestamps[i - 1]!)) return `timestamps must be strictly increasing (item ${i}: ${timestamps[i]} after ${timestamps[i - 1]})`;
  }
  if (values.every((v) => v === values[0])) return 'values are constant; the model cannot fit a constant series';
  return undefined;
}

async function answerAfterDelay(context: RouteContext, status: number, body: unknown): Promise<void> {
  const plan = context.drawDelayPlan();
  if (!(await context.waitUntil(context.receivedMs + plan.delayMs))) return;
  if (plan.fault.kind === 'error') {
    const s = context.settings.errorStatus;
    return context.sendJson(s, vllmErrorBody(s, 'inferbench reference server: injected error (errorRate)'), 'error');
  }
  context.sendJson(status, body, status < 400 ? 'content' : 'error');
}
