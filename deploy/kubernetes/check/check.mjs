// Checks deploy/kubernetes/*.yaml offline: every object against the Kubernetes schemas (kubernetes-models), then
// berth's own rules for a deployment that loses no request. Exits 1 with one line per problem.
//   cd deploy/kubernetes/check && npm ci && node check.mjs
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const here = dirname(fileURLToPath(import.meta.url));
const manifests = join(here, '..');
// What berth needs after SIGTERM, past the pre-stop pause: its drain (request timeout, answers, a margin).
const DRAIN_SECONDS = 15;

/** The kubernetes-models class of an object: apps/v1 Deployment is kubernetes-models/apps/v1/Deployment. */
async function modelOf(object) {
  const module = await import(`kubernetes-models/${object.apiVersion}/${object.kind}`);
  return module[object.kind];
}

async function schemaProblems(file, object) {
  try {
    const Model = await modelOf(object);
    new Model(object).validate();
    return [];
  } catch (error) {
    return [`${file}: ${object.kind} ${object.metadata?.name}: ${error.message.split('\n')[0]}`];
  }
}

const matches = (selector, labels) => Object.entries(selector).every(([key, value]) => labels?.[key] === value);

/** berth's rules: what each Deployment of a node must have to start, drain and roll without losing a request. */
function berthProblems(objects) {
  const problems = [];
  const deployments = objects.filter((object) => object.kind === 'Deployment');
  const services = objects.filter((object) => object.kind === 'Service');
  const budgets = objects.filter((object) => object.kind === 'PodDisruptionBudget');
  for (const deployment of deployments) {
    const name = `Deployment ${deployment.metadata.name}`;
    const pod = deployment.spec.template;
    const berth = pod.spec.containers.find((container) => container.name === 'berth');
    if (!berth) {
      problems.push(`${name}: no container named berth`);
      continue;
    }
    const env = Object.fromEntries((berth.env ?? []).map((variable) => [variable.name, variable.value]));
    const seeds = services.find((service) => service.metadata.name === env.BERTH_CLUSTER_MEMBERS);
    if (!seeds) {
      problems.push(`${name}: BERTH_CLUSTER_MEMBERS (${env.BERTH_CLUSTER_MEMBERS}) names no service of these files`);
    } else {
      if (seeds.spec.clusterIP !== 'None') problems.push(`${name}: its seed service ${seeds.metadata.name} is not headless`);
      if (seeds.spec.publishNotReadyAddresses !== true) {
        problems.push(`${name}: its seed service ${seeds.metadata.name} hides pods not ready: a node could never join`);
      }
      if (!matches(seeds.spec.selector, pod.metadata.labels)) {
        problems.push(`${name}: its pods are not behind its seed service ${seeds.metadata.name}`);
      }
    }
    for (const key of ['BERTH_TLS_CA', 'BERTH_TLS_CERT', 'BERTH_TLS_KEY']) {
      if (!env[key]) problems.push(`${name}: ${key} is missing: the cluster runs mutual TLS`);
    }
    for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
      if (!berth[probe]) problems.push(`${name}: no ${probe}`);
    }
    if (berth.readinessProbe?.httpGet?.path !== '/health') problems.push(`${name}: readiness is not GET /health`);
    if (berth.livenessProbe?.httpGet?.path === '/health') {
      problems.push(`${name}: liveness on /health would restart a draining node (503)`);
    }
    const pause = Number(berth.lifecycle?.preStop?.exec?.command?.[1] ?? NaN);
    if (Number.isNaN(pause)) problems.push(`${name}: no preStop pause before the drain`);
    const grace = pod.spec.terminationGracePeriodSeconds ?? 30;
    if (!(grace >= (Number.isNaN(pause) ? 0 : pause) + DRAIN_SECONDS)) {
      problems.push(`${name}: terminationGracePeriodSeconds ${grace} is shorter than the preStop pause and the drain`);
    }
    const rolling = deployment.spec.strategy?.rollingUpdate;
    if (rolling?.maxUnavailable !== 0) problems.push(`${name}: a rolling update may stop a pod before its successor is ready`);
    if (!budgets.some((budget) => matches(budget.spec.selector.matchLabels, pod.metadata.labels))) {
      problems.push(`${name}: no PodDisruptionBudget covers its pods`);
    }
  }
  return problems;
}

const files = readdirSync(manifests).filter((file) => file.endsWith('.yaml')).sort();
const objects = [];
const problems = [];
for (const file of files) {
  for (const document of parseAllDocuments(readFileSync(join(manifests, file), 'utf8'))) {
    if (document.errors.length) {
      problems.push(`${file}: ${document.errors[0].message}`);
      continue;
    }
    const root = document.toJS();
    for (const object of root.kind === 'List' ? root.items : [root]) {
      objects.push(object);
      problems.push(...await schemaProblems(file, object));
    }
  }
}
problems.push(...berthProblems(objects));

// The checks must be able to fail: a broken copy of each kind of object has to be refused.
const broken = objects.find((object) => object.kind === 'Deployment');
const refused = await schemaProblems('(a broken copy)', { ...broken, spec: { ...broken.spec, replicas: 'two' } });
if (refused.length === 0) problems.push('the schema check accepted a Deployment with replicas: "two"');
const unbudgeted = berthProblems(objects.filter((object) => object.kind !== 'PodDisruptionBudget'));
if (!unbudgeted.some((problem) => problem.includes('no PodDisruptionBudget'))) {
  problems.push('the berth check accepted Deployments without a PodDisruptionBudget');
}

if (problems.length) {
  problems.forEach((problem) => console.error(problem));
  process.exit(1);
}
const kinds = objects.map((object) => object.kind).reduce((count, kind) => ({ ...count, [kind]: (count[kind] ?? 0) + 1 }), {});
console.log(`deploy/kubernetes: ${objects.length} objects in ${files.join(', ')} valid against the Kubernetes schemas`
  + ` and berth's rules (${Object.entries(kinds).map(([kind, count]) => `${count} ${kind}`).join(', ')})`);
