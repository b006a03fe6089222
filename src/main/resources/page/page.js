'use strict';
// The cluster as this node's GET /cluster describes it, redrawn every two seconds. Member data comes from other
// hosts, so it only ever reaches the page as text (textContent), never as markup.
const REFRESH_MS = 2000;
const FETCH_TIMEOUT_MS = 5000;

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = String(text);
  return node;
}

function hostOf(member) {
  const advertised = member.eventBus || '';
  const colon = advertised.lastIndexOf(':');
  const host = colon > 0 ? advertised.slice(0, colon) : advertised;
  return host.replace(/^\[|\]$/g, '') || 'unknown host';
}

function load(part) {
  if (!part) return null;
  const p99 = part.p99Ms === undefined ? '–' : part.p99Ms === null ? '> 10 s' : '≤ ' + part.p99Ms + ' ms';
  return part.perSecond + ' req/s, p99 ' + p99;
}

// What is wrong with a member, worst first: [label, severity].
function problems(member, tls) {
  const found = [];
  const pulse = member.pulse;
  if (!member.name) found.push(['no berth metadata', 'bad']);
  if (tls && member.proven === false) found.push(['not proven', 'bad']);
  if (!pulse) found.push(['not heard from', 'bad']);
  else if (pulse.silent) found.push(['silent ' + Math.round(pulse.ageMs / 1000) + ' s', 'bad']);
  else if (pulse.state === 'DRAINING') found.push(['draining', 'warn']);
  else if (pulse.state === 'STARTING') found.push(['starting', 'warn']);
  return found;
}

function memberCard(member, tls) {
  const trouble = problems(member, tls);
  const card = element('article', 'member' + (trouble.length ? ' ' + trouble[0][1] : ''));
  card.dataset.member = member.name || member.id;
  const title = element('h3', null, member.name || member.id);
  if (member.self) title.append(element('span', 'badge', 'this node'));
  for (const [label, severity] of trouble) title.append(element('span', 'badge ' + severity, label));
  if (!trouble.length) title.append(element('span', 'badge ok', tls ? 'proven, up' : 'up'));
  card.append(title);
  const roles = element('div', 'chips');
  for (const role of member.roles || []) roles.append(element('span', 'badge', role));
  card.append(roles);
  const served = (member.addresses || []).concat(member.bridge ? member.bridge.addresses || [] : []);
  const addresses = element('div', 'chips');
  for (const address of [...new Set(served)]) {
    const chip = element('span', 'chip', address);
    chip.dataset.address = address;
    addresses.append(chip);
  }
  if (served.length) card.append(addresses);
  const facts = element('dl');
  const fact = (name, value) => { if (value) facts.append(element('dt', null, name), element('dd', null, value)); };
  fact('gateway', load(member.pulse && member.pulse.gateway));
  fact('workers', load(member.pulse && member.pulse.workers));
  fact('event bus', member.eventBus);
  fact('hazelcast', member.hazelcast);
  if (member.unproven) fact('why', member.unproven);
  card.append(facts);
  return card;
}

function render(view) {
  document.getElementById('cluster').textContent = "cluster '" + view.cluster + "'";
  const members = view.members || [];
  const troubled = members.filter(member => problems(member, view.tls).length).length;
  document.getElementById('summary').textContent = members.length + ' member(s), ' + troubled + ' with a problem'
    + (view.tls ? ', mutual TLS' : ', plain event bus') + ' · updated ' + new Date().toLocaleTimeString();
  const byHost = new Map();
  for (const member of members) {
    const host = hostOf(member);
    if (!byHost.has(host)) byHost.set(host, []);
    byHost.get(host).push(member);
  }
  const sections = [...byHost.keys()].sort().map(host => {
    const section = element('section', 'host');
    section.dataset.host = host;
    section.append(element('h2', null, 'host ' + host + ' · ' + byHost.get(host).length + ' member(s)'));
    const grid = element('div', 'members');
    byHost.get(host).sort((a, b) => String(a.name).localeCompare(String(b.name)))
      .forEach(member => grid.append(memberCard(member, view.tls)));
    section.append(grid);
    return section;
  });
  document.getElementById('hosts').replaceChildren(...sections);
}

async function refresh() {
  const problem = document.getElementById('problem');
  try {
    const response = await fetch('/cluster', { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), cache: 'no-store' });
    if (!response.ok) throw new Error('GET /cluster answered ' + response.status);
    render(await response.json());
    problem.hidden = true;
  } catch (error) {
    problem.textContent = 'Cannot read this node\'s /cluster (' + error.message + '): showing the last view.';
    problem.hidden = false;
  } finally {
    setTimeout(refresh, REFRESH_MS);
  }
}

refresh();
