import type { Results } from '../model/results.js';
import { fmt, table } from './console.js';

const MIB_TO_GB = 2 ** 20 / 1e9;
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/**
 * What the speech, SLO and monitoring features add to the summary: audio throughput and
 * stalls, goodput, GPU and server metrics per load point, the seed's per-text table, and
 * the targets table with PASS/MISS. Empty when the run has none of them.
 */
export function formatSpeechReport(results: Results): string {
  const lines: string[] = [];
  for (const p of results.points) {
    const m = p.measure;
    const block: string[] = [];
    if (m.audio) {
      block.push(
        `audio: ${fmt(m.audio.totalSeconds)} s from ${m.audio.requests} requests; ${fmt(m.audio.audioSecondsPerSecond)} audio s per wall s across streams; ` +
          `playback stalled in ${m.audio.stalledRequests}/${m.audio.requests} requests`,
      );
    }
    if (m.goodput) {
      const each = m.goodput.slos.map((s) => `${s.slo} ${pct(s.share)}`).join(', ');
      block.push(`goodput: ${fmt(m.goodput.requestsPerSecond)} req/s meet every SLO (${m.goodput.metAll}/${m.goodput.requests} = ${pct(m.goodput.share)}); ${each}`);
    }
    for (const d of m.gpu?.devices ?? []) {
      block.push(
        `gpu ${d.index} ${d.name}: VRAM peak ${fmt(d.memoryUsedMiB.max * MIB_TO_GB)} GB (mean ${fmt(d.memoryUsedMiB.mean * MIB_TO_GB)}) of ${fmt(d.memoryTotalMiB * MIB_TO_GB)} GB; ` +
          `util mean ${fmt(d.utilizationPercent.mean)}%, max ${fmt(d.utilizationPercent.max)}% (${m.gpu!.samples} samples every ${m.gpu!.intervalMs} ms)`,
      );
    }
    const sm = m.serverMetrics;
    if (sm) {
      block.push(`server metrics (${sm.url}, ${sm.scrapes} scrapes${sm.failedScrapes ? `, ${sm.failedScrapes} failed` : ''}):`);
      for (const [name, c] of Object.entries(sm.counters)) block.push(`  ${name}: +${fmt(c.delta)} (${fmt(c.perSecond)}/s)`);
      for (const [name, g] of Object.entries(sm.gauges)) block.push(`  ${name}: mean ${fmt(g.mean)}, min ${fmt(g.min)}, max ${fmt(g.max)}`);
    }
    if (block.length) lines.push('', `[${p.label}]`, ...block);
  }
  if (results.perText) {
    const rows = Object.entries(results.perText.results).map(([name, r]) => [
      name,
      String(r.text_length_words),
      fmt(r.latency.mean_ms),
      fmt(r.latency.p95_ms),
      r.ttfc ? fmt(r.ttfc.p50_ms) : '-',
      r.audio_duration_ms !== undefined ? fmt(r.audio_duration_ms) : '-',
      r.rtf !== undefined ? r.rtf.toFixed(3) : '-',
      r.vram_peak_gb !== undefined ? fmt(r.vram_peak_gb) : '-',
    ]);
    const s = results.perText.summary;
    lines.push('', 'per text (seed layout; results.perText in the JSON):');
    lines.push(...table(['text', 'words', 'mean ms', 'p95 ms', 'ttfc p50', 'audio ms', 'rtf', 'vram GB'], rows));
    lines.push(`overall: mean ${fmt(s.overall_mean_ms)} ms, p95 ${fmt(s.overall_p95_ms)} ms${s.overall_rtf !== undefined ? `, rtf ${s.overall_rtf.toFixed(3)}` : ''}${s.max_vram_gb !== undefined ? `, max VRAM ${fmt(s.max_vram_gb)} GB` : ''}`);
  }
  if (results.targets?.length) {
    const labels = results.points.map((p) => p.text?.name ?? p.label);
    const status = { stretch: 'PASS (stretch)', pass: 'PASS', miss: 'MISS', 'n/a': 'n/a' } as const;
    const rows = results.targets.map((t) => [t.metric, t.target, t.stretch ?? '-', ...t.points.map((p) => (p.measured ? `${p.measured} ${status[p.status]}` : status[p.status]))]);
    const judged = results.targets.flatMap((t) => t.points).filter((p) => p.status !== 'n/a');
    lines.push('', 'targets:');
    lines.push(...table(['metric', 'target', 'stretch', ...labels], rows));
    lines.push(`target status: ${judged.filter((p) => p.status !== 'miss').length}/${judged.length} passing`);
  }
  return lines.join('\n');
}
