/**
 * `GET /metrics`: a Prometheus text endpoint shaped like vLLM's, so `--server-metrics` has a
 * real target. Counters are derived from the ground-truth store (the requests it keeps, since
 * start or the last `DELETE /ground-truth`), the running gauge from the live in-flight count.
 */
import type { RouteContext } from '../route-context.js';
import type { Router } from '../router.js';
import { isSpeechRoute } from './speech.js';

export function registerMetricsRoutes(router: Router): void {
  router.add('GET', '/metrics', answerMetrics, { groundTruth: false });
}

function answerMetrics(context: RouteContext): void {
  const { settings, groundTruth, generationsInFlight } = context.server;
  let success = 0;
  let failed = 0;
  let generationTokens = 0;
  let audioSamples = 0;
  for (const record of groundTruth.all()) {
    if (record.endReason === 'completed' && record.status !== null && record.status < 400) success++;
    else if (record.endReason !== null) failed++;
    if (isSpeechRoute(record.route)) audioSamples += record.outputTokens;
    else generationTokens += record.outputTokens;
  }
  const model = `{model_name=${JSON.stringify(settings.model)}}`;
  const lines = [
    '# HELP vllm:num_requests_running Number of requests in model execution batches.',
    '# TYPE vllm:num_requests_running gauge',
    `vllm:num_requests_running${model} ${generationsInFlight}`,
    '# HELP vllm:num_requests_waiting Number of requests waiting to be processed.',
    '# TYPE vllm:num_requests_waiting gauge',
    `vllm:num_requests_waiting${model} 0`,
    '# HELP vllm:generation_tokens_total Number of generation tokens processed.',
    '# TYPE vllm:generation_tokens_total counter',
    `vllm:generation_tokens_total${model} ${generationTokens}`,
    '# HELP vllm:request_success_total Count of successfully processed requests.',
    '# TYPE vllm:request_success_total counter',
    `vllm:request_success_total${model} ${success}`,
    '# HELP inferbench:request_failure_total Requests that ended any other way (error, disconnect, fault).',
    '# TYPE inferbench:request_failure_total counter',
    `inferbench:request_failure_total${model} ${failed}`,
    '# HELP inferbench:audio_seconds_total Seconds of speech audio written.',
    '# TYPE inferbench:audio_seconds_total counter',
    `inferbench:audio_seconds_total${model} ${audioSamples / settings.ttsSampleRate}`,
    '',
  ];
  context.send(200, lines.join('\n'), 'text/plain; version=0.0.4; charset=utf-8', 'content');
}
