import { closest } from '../model/config-error.js';
import { formatBound, formatMeasured, type Condition } from './condition.js';
import { evaluateOnArm, type ArmMeasurements, type Verdict } from './evaluate.js';

/**
 * `inferbench overhead --threshold`: conditions judged per compared mode (arm).
 * `overhead(stream)<5%` names one arm; `overhead<5%` means every arm compared with the baseline;
 * `p95(latency)<2s` every arm, the baseline included. The A/A control arm is `aa`.
 */
export interface ArmOutcome extends Verdict {
  arm: string;
  passed: boolean;
  message: string;
}

/** Whether a condition is about this arm. */
function appliesTo(c: Condition, arm: ArmMeasurements): boolean {
  if (c.arm !== undefined) return arm.name === c.arm || (c.arm === 'aa' && arm.name.endsWith('(A/A)'));
  return c.metric !== 'overhead' || arm.overhead !== undefined;
}

/** Problems with arm names (`overhead(strem)`), known once the module's modes are: reported before the first call. */
export function armProblems(conditions: readonly Condition[], armNames: readonly string[], baseline: string): string[] {
  const compared = armNames.filter((n) => n !== baseline);
  const problems: string[] = [];
  for (const c of conditions) {
    if (c.arm === undefined) continue;
    if (c.arm === baseline) problems.push(`${c.text}: ${baseline} is the baseline, so it has no overhead; compare ${compared.join(', ')}`);
    else if (!armNames.some((n) => n === c.arm || (c.arm === 'aa' && n.endsWith('(A/A)')))) {
      const hint = closest(c.arm, compared);
      problems.push(`${c.text}: no mode "${c.arm}" is compared${hint ? `; did you mean "${hint}"?` : ''} (compared: ${compared.map((n) => (n.endsWith('(A/A)') ? 'aa' : n)).join(', ')})`);
    }
  }
  return problems;
}

/** Every condition against every arm it is about, each with a line saying why. */
export function checkArmConditions(arms: readonly ArmMeasurements[], conditions: readonly Condition[]): ArmOutcome[] {
  const out: ArmOutcome[] = [];
  for (const c of conditions) {
    for (const arm of arms.filter((a) => appliesTo(c, a))) {
      const v = evaluateOnArm(c, arm);
      out.push({ ...v, arm: arm.name, passed: v.status === 'pass', message: armMessage(c, v, arm.name) });
    }
  }
  return out;
}

function armMessage(c: Condition, v: Verdict, arm: string): string {
  const who = c.arm !== undefined ? c.text : `${c.text} [${arm}]`;
  if (v.status === 'not measured') return `${who}: not measured for ${arm}`;
  const measured = formatSigned(c, v.value!);
  if (!v.interval) return `${who}: ${v.status === 'pass' ? 'passed' : 'FAILED'} (measured ${measured}, limit ${formatBound(c)})`;
  const ci = `${Math.round(v.interval.confidence * 100)}% CI ${formatSigned(c, v.interval.low)}..${formatSigned(c, v.interval.high)}`;
  switch (v.status) {
    case 'pass':
      return `${who}: passed (measured ${measured}, ${ci}: the whole interval is ${formatBound(c)})`;
    case 'fail':
      return `${who}: FAILED (measured ${measured}, ${ci}: the whole interval misses ${formatBound(c)})`;
    default:
      return `${who}: inconclusive (measured ${measured}, ${ci} straddles the bound ${formatBound(c)}; more --rounds narrow the interval)`;
  }
}

/** Overheads read as changes: +4.80%, −2.10%. */
function formatSigned(c: Condition, value: number): string {
  const text = formatMeasured(c, value);
  return c.metric === 'overhead' && value >= 0 ? `+${text}` : text;
}
