import { spawn, type ChildProcess } from 'node:child_process';
import type { GpuPhaseStats } from '../model/results.js';

/**
 * GPU sampling through nvidia-smi's own loop (`-lms N`): one process per phase printing
 * `index, name, memory.used, memory.total, utilization.gpu` every N ms, so sampling costs
 * the client nothing but a pipe. No GPU or no nvidia-smi is a note, never a failure.
 */
export const GPU_QUERY = 'index,name,memory.used,memory.total,utilization.gpu';

interface DeviceTotals {
  index: number;
  name: string;
  memoryTotalMiB: number;
  samples: number;
  memSum: number;
  memMax: number;
  utilSum: number;
  utilMax: number;
}

export interface GpuSampler {
  /** Stops sampling; the stats, or a note saying why there are none. */
  stop(): Promise<{ stats?: GpuPhaseStats; note?: string }>;
}

export function startGpuSampler(opts: { intervalMs: number; command?: string }): GpuSampler {
  const command = opts.command ?? 'nvidia-smi';
  const devices = new Map<number, DeviceTotals>();
  let rows = 0;
  let failure: string | undefined;
  let stderr = '';
  let rest = '';
  const addLine = (line: string) => {
    const cells = line.split(',').map((c) => c.trim());
    if (cells.length < 5) return;
    const [index, name, used, total, util] = [Number(cells[0]), cells[1]!, Number(cells[2]), Number(cells[3]), Number(cells[4])];
    if (!Number.isInteger(index) || !Number.isFinite(used)) return;
    let d = devices.get(index);
    if (!d) devices.set(index, (d = { index, name, memoryTotalMiB: total, samples: 0, memSum: 0, memMax: 0, utilSum: 0, utilMax: 0 }));
    d.samples++;
    d.memSum += used;
    d.memMax = Math.max(d.memMax, used);
    // "[N/A]" utilisation (some MIG setups) counts as 0 rather than poisoning the mean.
    const u = Number.isFinite(util) ? util : 0;
    d.utilSum += u;
    d.utilMax = Math.max(d.utilMax, u);
    rows++;
  };
  let child: ChildProcess;
  const exited = new Promise<void>((resolve) => {
    child = spawn(command, [`--query-gpu=${GPU_QUERY}`, '--format=csv,noheader,nounits', `-lms`, String(Math.max(1, Math.round(opts.intervalMs)))], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      const lines = (rest + d).split('\n');
      rest = lines.pop()!;
      for (const l of lines) addLine(l);
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d.slice(0, 2000)));
    child.on('error', (err: NodeJS.ErrnoException) => {
      failure =
        err.code === 'ENOENT'
          ? `--gpu: ${command} not found on PATH, so no GPU metrics were taken (the run went on); install the NVIDIA driver utilities or run on the GPU host`
          : `--gpu: cannot start ${command}: ${err.message} (the run went on without GPU metrics)`;
      resolve();
    });
    child.on('close', (code) => {
      if (code && !failure && rows === 0) {
        failure = `--gpu: ${command} exited with status ${code}${stderr.trim() ? `: ${stderr.trim().split('\n')[0]}` : ''} (no GPU found?); the run went on without GPU metrics`;
      }
      resolve();
    });
  });
  return {
    async stop() {
      if (child.exitCode === null && child.signalCode === null && !failure) child.kill('SIGTERM');
      await exited;
      if (rest.trim()) addLine(rest);
      if (rows === 0) return { note: failure ?? `--gpu: ${command} printed no samples during the phase` };
      return {
        stats: {
          intervalMs: opts.intervalMs,
          samples: Math.max(...[...devices.values()].map((d) => d.samples)),
          devices: [...devices.values()]
            .sort((a, b) => a.index - b.index)
            .map((d) => ({
              index: d.index,
              name: d.name,
              memoryTotalMiB: d.memoryTotalMiB,
              memoryUsedMiB: { mean: d.memSum / d.samples, max: d.memMax },
              utilizationPercent: { mean: d.utilSum / d.samples, max: d.utilMax },
            })),
        },
      };
    },
  };
}
