/**
 * Kubernetes manifests for a run split across pods: an Indexed Job whose pod k runs segment
 * k/n (`--segment $(JOB_COMPLETION_INDEX)/n`) and writes its part to a shared volume, then a
 * merge Job that waits for all n parts and runs `inferbench merge`. Plain objects serialised
 * with the yaml library, so tests can parse and check them.
 */
import { stringify } from 'yaml';

export interface KubernetesPlan {
  /** The scenario file's name and text (shipped in a ConfigMap). */
  scenarioFileName: string;
  scenarioText: string;
  /** Scenario name, used for object names. */
  name: string;
  parts: number;
  image: string;
  namespace?: string;
  /** Size of the ReadWriteMany claim the parts and merged results are written to. */
  storage?: string;
  /** Worker threads per pod (`--workers`); default: inferbench decides per pod. */
  workersPerPod?: number;
  /**
   * How long after the first pod is ready every pod starts its measured load (`--start-at`
   * through a file on the shared volume); default 60 s. Pods scheduled later start late and say so.
   */
  startLead?: string;
}

const SCENARIO_DIR = '/scenario';
const RESULTS_DIR = '/results';

/** A DNS-1123 label from the scenario name (Kubernetes object names). */
export function kubernetesName(name: string): string {
  const base = name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40).replace(/-+$/, '');
  return `inferbench-${base || 'run'}`;
}

export function kubernetesManifests(plan: KubernetesPlan): string {
  const name = kubernetesName(plan.name);
  const n = plan.parts;
  const labels = { 'app.kubernetes.io/name': 'inferbench', 'app.kubernetes.io/instance': name };
  const metadata = (suffix: string) => ({ name: `${name}${suffix}`, labels, ...(plan.namespace ? { namespace: plan.namespace } : {}) });
  const volumes = [
    { name: 'scenario', configMap: { name: `${name}-scenario` } },
    { name: 'results', persistentVolumeClaim: { claimName: `${name}-results` } },
  ];
  const mounts = [
    { name: 'scenario', mountPath: SCENARIO_DIR, readOnly: true },
    { name: 'results', mountPath: RESULTS_DIR },
  ];
  const scenarioPath = `${SCENARIO_DIR}/${plan.scenarioFileName}`;

  const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: metadata('-scenario'), data: { [plan.scenarioFileName]: plan.scenarioText } };
  const claim = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: metadata('-results'),
    spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: plan.storage ?? '1Gi' } } },
  };
  const loadJob = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: metadata(''),
    spec: {
      completionMode: 'Indexed',
      completions: n,
      parallelism: n,
      backoffLimit: n,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: 'inferbench',
              image: plan.image,
              // The index the Job controller gives each pod, 0..n-1, as an env var the args can expand.
              env: [
                { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } },
                // One start file per Job run: a rerun never reads the previous run's start time.
                { name: 'JOB_UID', valueFrom: { fieldRef: { fieldPath: "metadata.labels['batch.kubernetes.io/controller-uid']" } } },
              ],
              args: [
                'run',
                scenarioPath,
                '--segment',
                `$(JOB_COMPLETION_INDEX)/${n}`,
                '--out',
                `${RESULTS_DIR}/part-$(JOB_COMPLETION_INDEX).json`,
                // The first pod to be ready writes "now + lead" to the shared file; every pod starts its measured load then.
                '--start-at',
                `@${RESULTS_DIR}/start-at-$(JOB_UID)+${plan.startLead ?? '60s'}`,
                '--quiet',
                ...(plan.workersPerPod ? ['--workers', String(plan.workersPerPod)] : []),
              ],
              volumeMounts: mounts,
            },
          ],
          volumes,
        },
      },
    },
  };
  const partsGlob = `${RESULTS_DIR}/part-*.json`;
  const mergeJob = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: metadata('-merge'),
    spec: {
      completions: 1,
      backoffLimit: 2,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          initContainers: [
            {
              name: 'wait-for-parts',
              image: plan.image,
              command: ['sh', '-c', `until [ "$(ls ${partsGlob} 2>/dev/null | wc -l)" -ge ${n} ]; do sleep 5; done`],
              volumeMounts: mounts,
            },
          ],
          containers: [
            {
              name: 'merge',
              image: plan.image,
              command: ['sh', '-c', `exec node /app/dist/cli/main.js merge ${partsGlob} -o ${RESULTS_DIR}/results.json`],
              volumeMounts: mounts,
            },
          ],
          volumes,
        },
      },
    },
  };
  const header = [
    `# inferbench: ${plan.name} in ${n} parts (pod k runs segment k/${n}; parts merge exactly into ${RESULTS_DIR}/results.json)`,
    `#   kubectl apply -f this.yaml${plan.namespace ? ` -n ${plan.namespace}` : ''}`,
    `#   kubectl wait --for=condition=complete job/${name}-merge --timeout=24h`,
    `#   kubectl cp <any pod with the ${name}-results volume>:${RESULTS_DIR}/results.json results.json`,
    `# Pods are scheduled seconds apart: each holds its measured load until ${plan.startLead ?? '60s'} after the first pod was ready (--start-at through the shared volume), so the n shares of the schedule run together.`,
  ].join('\n');
  return `${header}\n${[configMap, claim, loadJob, mergeJob].map((doc) => stringify(doc, { lineWidth: 0 })).join('---\n')}`;
}

/** The image the manifests run: inferbench built from this repository, `inferbench` as entrypoint. */
export function dockerfile(): string {
  return `# Build from the root of the inferbench repository:  docker build -t IMAGE -f Dockerfile .
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
RUN npm ci --ignore-scripts
COPY src ./src
COPY schema ./schema
RUN npm run build

FROM node:20-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY --from=build /app/schema ./schema
ENTRYPOINT ["node", "/app/dist/cli/main.js"]
`;
}
