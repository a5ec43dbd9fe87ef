import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { runCli } from '../helpers/cli.js';

/** No cluster runs here: the manifests are parsed and checked for what Kubernetes and inferbench need. */
const dir = mkdtempSync(join(tmpdir(), 'inferbench-k8s-'));
const scenarioPath = join(dir, 'chat-load.yaml');
// API_KEY is deliberately not set here: it is set in the pods.
const scenarioText = `name: Chat_Load.v2
target:
  protocol: openai
  url: http://vllm.inference.svc:8000/v1/chat/completions
  headers:
    Authorization: Bearer \${API_KEY}
load:
  rate: 200
  arrival: poisson
  duration: 60s
`;
writeFileSync(scenarioPath, scenarioText);

type Doc = Record<string, any>;

describe('inferbench k8s', () => {
  it('prints a ConfigMap, a shared volume, an Indexed Job wired to segments, and a merge Job', async () => {
    const out = await runCli(['k8s', scenarioPath, '--parts', '4', '--image', 'registry.example/inferbench:1']);
    expect(out.code).toBe(0);
    const docs = parseAllDocuments(out.stdout).map((d) => {
      expect(d.errors).toEqual([]);
      return d.toJS() as Doc;
    });
    expect(docs.map((d) => d.kind)).toEqual(['ConfigMap', 'PersistentVolumeClaim', 'Job', 'Job']);
    for (const d of docs) {
      expect(d.apiVersion).toMatch(/^(v1|batch\/v1)$/);
      expect(d.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    }
    const [configMap, claim, job, merge] = docs as [Doc, Doc, Doc, Doc];
    // The scenario travels as written: ${API_KEY} stays a reference, never its value.
    expect(configMap.data['chat-load.yaml']).toBe(scenarioText);
    expect(out.stdout).not.toContain('set-in-the-pod');
    expect(claim.spec.accessModes).toEqual(['ReadWriteMany']);

    expect(job.metadata.name).toBe('inferbench-chat-load-v2');
    expect(job.spec).toMatchObject({ completionMode: 'Indexed', completions: 4, parallelism: 4 });
    const pod = job.spec.template.spec;
    expect(pod.restartPolicy).toBe('Never');
    const c = pod.containers[0];
    expect(c.image).toBe('registry.example/inferbench:1');
    const indexEnv = c.env.find((e: Doc) => e.name === 'JOB_COMPLETION_INDEX');
    expect(indexEnv.valueFrom.fieldRef.fieldPath).toBe("metadata.annotations['batch.kubernetes.io/job-completion-index']");
    const args: string[] = c.args;
    expect(args.slice(0, 2)).toEqual(['run', '/scenario/chat-load.yaml']);
    expect(args[args.indexOf('--segment') + 1]).toBe('$(JOB_COMPLETION_INDEX)/4');
    expect(args[args.indexOf('--out') + 1]).toBe('/results/part-$(JOB_COMPLETION_INDEX).json');
    const mountOf = (container: Doc, name: string) => container.volumeMounts.find((m: Doc) => m.name === name)?.mountPath;
    expect(mountOf(c, 'scenario')).toBe('/scenario');
    expect(mountOf(c, 'results')).toBe('/results');
    expect(pod.volumes).toEqual([
      { name: 'scenario', configMap: { name: configMap.metadata.name } },
      { name: 'results', persistentVolumeClaim: { claimName: claim.metadata.name } },
    ]);

    const mergePod = merge.spec.template.spec;
    expect(mergePod.initContainers[0].command.join(' ')).toContain('-ge 4');
    expect(mergePod.containers[0].command.join(' ')).toContain('merge /results/part-*.json -o /results/results.json');
    expect(mountOf(mergePod.containers[0], 'results')).toBe('/results');
    expect(mergePod.volumes).toEqual(pod.volumes);
    expect(out.stderr).toContain('${ENV} values');
  });

  it('prints the Dockerfile whose entrypoint the Job relies on', async () => {
    const out = await runCli(['k8s', scenarioPath, '--parts', '2', '--image', 'x', '--dockerfile']);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^FROM node:20-slim AS build$/m);
    expect(out.stdout).toContain('ENTRYPOINT ["node", "/app/dist/cli/main.js"]');
  });

  it('names every bad flag and scenario problem at once', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'target: {protocol: http, url: http://127.0.0.1:1/x}\nload: {rate: -1}\n');
    const out = await runCli(['k8s', bad, '--parts', 'zero', '--image', 'x']);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('--parts: expected a whole number ≥ 1, got "zero"');
    expect(out.stderr).toContain('load.rate');
  });
});
