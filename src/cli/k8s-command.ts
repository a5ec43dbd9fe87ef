import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import { ConfigError } from '../model/config-error.js';
import { loadScenarioFile } from '../scenario/load-scenario.js';
import { dockerfile, kubernetesManifests } from '../run/k8s.js';
import { ExitCode } from './exit-codes.js';
import { cliRedactor, writeOutputFile } from './output.js';
import { parseDurationMs } from '../model/units.js';

interface K8sFlags {
  parts: string;
  image: string;
  namespace?: string;
  storage?: string;
  workers?: string;
  outDir?: string;
  startLead?: string;
  dockerfile?: boolean;
}

export function registerK8sCommand(program: Command): Command {
  return program
    .command('k8s')
    .description('print a Kubernetes Indexed Job that runs the scenario in n segments (one pod each) plus the merge step; --dockerfile prints the image')
    .argument('<scenario>', 'YAML or JSON scenario file')
    .requiredOption('--parts <n>', 'pods, each running segment $JOB_COMPLETION_INDEX/n')
    .requiredOption('--image <image>', 'container image with inferbench (build it with the Dockerfile from --dockerfile)')
    .option('--namespace <ns>', 'namespace of every object')
    .option('--storage <size>', 'size of the shared results volume (ReadWriteMany)', '1Gi')
    .option('--workers <n>', 'worker threads per pod (default: inferbench decides)')
    .option('--start-lead <duration>', 'pods start their measured load this long after the first pod is ready (--start-at through the shared volume)', '60s')
    .option('--out-dir <dir>', 'write k8s.yaml and Dockerfile there instead of printing')
    .option('--dockerfile', 'print the Dockerfile instead of the manifests')
    .action(async (file: string, flags: K8sFlags) => {
      process.exitCode = await k8sFromCli(file, flags);
    });
}

async function k8sFromCli(file: string, flags: K8sFlags): Promise<ExitCode> {
  const problems: string[] = [];
  const parts = Number(flags.parts);
  if (!Number.isInteger(parts) || parts < 1) problems.push(`--parts: expected a whole number ≥ 1, got ${JSON.stringify(flags.parts)}`);
  const workers = flags.workers === undefined ? undefined : Number(flags.workers);
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 1)) problems.push(`--workers: expected a whole number ≥ 1, got ${JSON.stringify(flags.workers)}`);
  if (flags.startLead !== undefined && parseDurationMs(flags.startLead, 'seconds') === undefined) problems.push(`--start-lead: expected a duration like 60s, got ${JSON.stringify(flags.startLead)}`);
  if (!flags.image.trim()) problems.push('--image: give the image to run, e.g. registry.example.com/inferbench:0.1.0');
  let name = 'run';
  let text = '';
  try {
    // ${ENV} values are set in the pods, not here: any value validates the rest of the scenario.
    const anyValue = new Proxy(process.env, { get: (env, key: string) => env[key] ?? 'set-in-the-pod' });
    const loaded = await loadScenarioFile(file, anyValue);
    name = loaded.scenario.name;
    text = await readFile(file, 'utf8');
    const url = (loaded.scenario.target as { url?: string }).url;
    if (url && /^\w+:\/\/(127\.|localhost|\[::1\])/.test(url)) {
      process.stderr.write(`warning: target.url ${url} is a loopback address: inside a pod it is the pod itself; use the service's cluster address\n`);
    }
    if (loaded.secrets.size > 0) {
      process.stderr.write('note: the scenario uses ${ENV} values; set them in the Job container (env from a Secret), they are not copied into the manifests\n');
    }
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(err.message);
  }
  if (problems.length) {
    process.stderr.write(`inferbench k8s: ${problems.join('\n')}\n`);
    return ExitCode.badConfig;
  }
  const manifests = kubernetesManifests({ scenarioFileName: basename(file), scenarioText: text, name, parts, image: flags.image, namespace: flags.namespace, storage: flags.storage, workersPerPod: workers, startLead: flags.startLead });
  if (cliRedactor.redactText(manifests) !== manifests) {
    process.stderr.write('warning: the scenario holds a literal credential; it is redacted in the manifests (secrets never reach a file): write it as ${ENV} and set that from a Secret\n');
  }
  if (flags.outDir) {
    await writeOutputFile(join(flags.outDir, 'k8s.yaml'), manifests);
    await writeOutputFile(join(flags.outDir, 'Dockerfile'), dockerfile());
    process.stdout.write(`wrote ${join(flags.outDir, 'k8s.yaml')} and ${join(flags.outDir, 'Dockerfile')}\n`);
  } else {
    process.stdout.write(flags.dockerfile ? dockerfile() : manifests);
  }
  return ExitCode.ok;
}
