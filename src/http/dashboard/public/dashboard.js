// The live dashboard's client: no framework, no build step. The workflow chart
// comes laid out from the machine definition (/dashboard/workflow.json), the
// counters from GET /v1/dashboard every few seconds (constant time on the
// server), and everything that moves from the event stream GET /v1/events.
// Updates are folded into plain objects as events arrive and drawn once per
// animation frame, so a busy server does not mean a busy page.

const REFRESH_MS = 2000;
const TICKER_ROWS = 60;
const FLASH_MS = 700;
const KEY_STORAGE = 'gl-rl.dashboard.key';
const SVG = 'http://www.w3.org/2000/svg';

const $ = (id) => document.getElementById(id);

const state = {
  key: sessionStorage.getItem(KEY_STORAGE),
  summary: null,
  /** session_id → row: the summary's rows, updated by events between refreshes. */
  rows: new Map(),
  /** session_id → the top-level stage it is in, for sessions in flight. */
  live: new Map(),
  ticker: [],
  selected: null,
  bulkheadSeries: [[], [], []],
  dirty: new Set(),
  frame: 0,
};

// ── Authentication ────────────────────────────────────────────────────────

let keyPrompt = null;

/** Asks for the key once; concurrent callers share the same prompt. */
function askKey(refused) {
  keyPrompt ??= new Promise((resolve) => {
    const dialog = $('key-dialog');
    $('key-error').hidden = !refused;
    $('key-form').onsubmit = () => {
      state.key = $('key-input').value.trim();
      sessionStorage.setItem(KEY_STORAGE, state.key);
      keyPrompt = null;
      resolve();
    };
    if (!dialog.open) dialog.showModal();
  });
  return keyPrompt;
}

async function api(path, init = {}) {
  for (;;) {
    const headers = { ...(init.headers ?? {}), ...(state.key ? { authorization: `Bearer ${state.key}` } : {}) };
    const response = await fetch(path, { ...init, headers });
    if (response.status !== 401) {
      if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
      return response.json();
    }
    await askKey(Boolean(state.key));
  }
}

// ── The statechart ────────────────────────────────────────────────────────

const chart = { nodes: new Map(), inner: new Map(), edges: new Map(), counts: new Map(), timers: new Map() };

function el(name, attrs = {}, parent) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  parent?.appendChild(node);
  return node;
}

function drawChart(layout) {
  const svg = el('svg', { viewBox: `0 0 ${layout.width} ${layout.height}`, 'aria-hidden': 'true' });
  const marker = el('marker', { id: 'arrow', viewBox: '0 0 8 8', refX: 7, refY: 4, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, el('defs', {}, svg));
  el('path', { d: 'M0,0 L8,4 L0,8 z', fill: '#8a93a6' }, marker);
  const keyOf = (id) => id.slice(id.lastIndexOf('.') + 1);
  for (const edge of layout.edges) {
    const id = `${keyOf(edge.source)}>${keyOf(edge.target)}`;
    const g = el('g', { class: `edge ${edge.kind}`, 'data-edge': id }, svg);
    el('title', {}, g).textContent = `${keyOf(edge.source)} → ${keyOf(edge.target)}: ${edge.label}`;
    el('path', { d: edge.path }, g);
    if (edge.kind !== 'terminal' && edge.kind !== 'forward') {
      const text = el('text', { x: edge.label_at.x, y: edge.label_at.y + (edge.kind === 'back' ? 12 : -4), 'text-anchor': 'middle' }, g);
      text.textContent = edge.kind === 'back' ? 'regenerate: invalid, budget left' : shortLabel(edge.label);
    }
    chart.edges.set(id, g);
  }
  for (const node of layout.nodes) {
    const top = node.depth === 0;
    const path = node.id.split('.').slice(1).join('.');
    const g = el('g', { class: `state${top ? '' : ' inner'}${node.type === 'final' ? ' final' : ''}`, ...(top ? { 'data-state': node.key, 'data-entered': 0 } : { 'data-node': path }) }, svg);
    if (!top) chart.inner.set(path, g);
    el('rect', { x: node.x, y: node.y, width: node.w, height: node.h }, g);
    const label = el('text', { x: node.x + 8, y: node.y + (top ? 17 : 14) }, g);
    label.textContent = node.type === 'parallel' ? `${node.key} ∥` : node.key;
    if (top) {
      const count = el('text', { class: 'count', x: node.x + node.w - 8, y: node.y + 17, 'text-anchor': 'end' }, g);
      chart.nodes.set(node.key, { g, count, entered: 0 });
      chart.counts.set(node.key, 0);
    }
  }
  for (const [target, labels] of Object.entries(layout.from_any_state)) {
    const node = layout.nodes.find((n) => n.depth === 0 && n.key === target);
    if (!node) continue;
    const text = el('text', { x: node.x + node.w / 2, y: node.y + node.h + 13, 'text-anchor': 'middle' }, el('g', { class: 'any' }, svg));
    text.textContent = `from any state: ${labels.join(' | ')}`;
  }
  $('chart').replaceChildren(svg);
}

/** "done: validator [callSucceeded and isTrainMode]" → "isTrainMode": the guard is what tells branches apart. */
function shortLabel(label) {
  const guards = [...label.matchAll(/\[([^\]]+)\]/g)].map((m) => m[1].split(' and ').pop());
  return guards.length ? guards.join(' | ') : label.replace(/^done: /, '');
}

function flash(g, cls) {
  if (!g) return;
  const key = `${cls}:${g.dataset.state ?? g.dataset.node ?? g.dataset.edge}`;
  g.classList.add(cls);
  clearTimeout(chart.timers.get(key));
  chart.timers.set(key, setTimeout(() => g.classList.remove(cls), FLASH_MS));
}

function setCount(stage, delta) {
  const node = chart.nodes.get(stage);
  if (!node) return;
  const n = Math.max(0, (chart.counts.get(stage) ?? 0) + delta);
  chart.counts.set(stage, n);
  node.count.textContent = n ? `${n} in flight` : '';
  node.g.classList.toggle('active', n > 0);
}

function entered(stage) {
  const node = chart.nodes.get(stage);
  if (!node) return;
  node.entered++;
  node.g.setAttribute('data-entered', String(node.entered));
  flash(node.g, 'flash');
}

// ── Events ───────────────────────────────────────────────────────────────

function rowFor(session_id) {
  let row = state.rows.get(session_id);
  if (!row) {
    row = { session_id, status: 'active', stage: null, turn: 0, duration_ms: null, generator: null, confidence: null, is_valid: null, retries: 0, fallbacks: 0, regenerations: 0, query: null, started_at: null };
    state.rows.set(session_id, row);
  }
  return row;
}

function onStage(event) {
  const previous = state.live.get(event.session_id);
  const row = rowFor(event.session_id);
  if (previous && previous.turn === event.turn) {
    setCount(previous.stage, -1);
    flash(chart.edges.get(`${previous.stage}>${event.stage}`), 'flash');
    if (previous.stage === 'validation' && event.stage === 'query_generation') {
      row.regenerations++;
      tick(event, 'regen', 'regeneration: the SQL was invalid, generating again');
    }
  } else if (previous) {
    setCount(previous.stage, -1);
  }
  if (event.stage === 'initialization') Object.assign(row, { retries: 0, fallbacks: 0, regenerations: 0, generator: null, confidence: null, is_valid: null, started_at: event.at });
  state.live.set(event.session_id, { stage: event.stage, turn: event.turn });
  setCount(event.stage, +1);
  entered(event.stage);
  Object.assign(row, { status: 'active', stage: event.stage, turn: event.turn });
  row.started_at ??= event.at;
  touch(row, event.at);
  tick(event, 'stage', event.stage);
}

function onOutcome(event) {
  const previous = state.live.get(event.session_id);
  if (previous) {
    setCount(previous.stage, -1);
    flash(chart.edges.get(`${previous.stage}>${event.outcome}`), 'flash');
  }
  state.live.delete(event.session_id);
  entered(event.outcome);
  const row = rowFor(event.session_id);
  row.status = event.outcome;
  if (row.started_at) row.duration_ms = Date.parse(event.at) - Date.parse(row.started_at);
  if (event.error_code) row.error_code = event.error_code;
  touch(row, event.at);
  tick(event, `outcome ${event.outcome}`, event.error_code ? `${event.outcome} (${event.error_code})` : event.outcome);
}

function onRecovery(event) {
  const live = state.live.get(event.session_id);
  const cls = event.recovery === 'retry' ? 'retry' : event.recovery === 'fallback' || event.recovery === 'circuit_open' ? 'fallback' : 'failure';
  if (live) {
    flash(chart.nodes.get(live.stage)?.g, cls);
    // A retry waits in the stage's backing_off state, where the chart has one.
    if (cls === 'retry') flash(chart.inner.get(`${live.stage}.backing_off`) ?? [...chart.inner].find(([k]) => k.startsWith(`${live.stage}.`) && k.endsWith('.backing_off'))?.[1], cls);
  }
  const row = rowFor(event.session_id);
  if (event.recovery === 'retry') row.retries++;
  if (cls === 'fallback') row.fallbacks++;
  touch(row, event.at);
  tick(event, 'recovery', `${event.recovery} · ${event.agent}: ${event.detail}`);
}

function onExpired(event) {
  const previous = state.live.get(event.session_id);
  if (previous) setCount(previous.stage, -1);
  state.live.delete(event.session_id);
  const row = rowFor(event.session_id);
  row.status = 'expired';
  touch(row, event.at);
  tick(event, 'expired', `expired (${event.expired})`);
}

/** `at` is the server's time of the event, so the next summary's row (same clock) can tell which view is newer. */
function touch(row, at) {
  row.updated_at = at;
  state.dirty.add('sessions');
  if (state.selected === row.session_id) state.dirty.add('session-view');
  schedule();
}

function tick(event, kind, text) {
  state.ticker.push({ at: event.at, session_id: event.session_id, turn: event.turn, kind, text });
  if (state.ticker.length > TICKER_ROWS) state.ticker.splice(0, state.ticker.length - TICKER_ROWS);
  state.dirty.add('ticker');
  schedule();
}

let stream = null;

async function connect() {
  stream?.close();
  setConnection('connecting');
  let url;
  try {
    const { token } = await api('/v1/events/token', { method: 'POST' });
    url = `/v1/events?token=${encodeURIComponent(token)}`;
  } catch {
    setConnection('reconnecting');
    setTimeout(connect, 2000);
    return;
  }
  stream = new EventSource(url);
  stream.addEventListener('ready', () => setConnection('live'));
  stream.addEventListener('stage', (e) => onStage(JSON.parse(e.data)));
  stream.addEventListener('outcome', (e) => onOutcome(JSON.parse(e.data)));
  stream.addEventListener('recovery', (e) => onRecovery(JSON.parse(e.data)));
  stream.addEventListener('expired', (e) => onExpired(JSON.parse(e.data)));
  stream.onerror = () => {
    setConnection('reconnecting');
    // The browser retries by itself with the same URL; once it gives up (e.g. the token expired), start over with a new token.
    if (stream.readyState === EventSource.CLOSED) setTimeout(connect, 1000);
  };
}

function setConnection(text) {
  const pill = $('connection');
  pill.dataset.state = text;
  pill.textContent = text;
}

// ── The summary ──────────────────────────────────────────────────────────

async function refresh() {
  try {
    const summary = await api('/v1/dashboard');
    state.summary = summary;
    for (const row of [...summary.recent_sessions].reverse()) {
      const known = state.rows.get(row.session_id);
      // A row the stream moved past the summary's moment keeps the stream's view.
      if (!known || !known.updated_at || known.updated_at <= row.updated_at) state.rows.set(row.session_id, { ...known, ...row });
    }
    const b = summary.bulkhead;
    const t = Date.parse(summary.at) / 1000;
    const [xs, inFlight, queued] = state.bulkheadSeries;
    xs.push(t), inFlight.push(b.in_flight), queued.push(b.queued);
    if (xs.length > 150) for (const s of state.bulkheadSeries) s.shift();
    for (const part of ['summary', 'sessions']) state.dirty.add(part);
    schedule();
  } catch (error) {
    $('server').textContent = `summary unavailable: ${error.message}`;
  }
}

// ── Drawing ──────────────────────────────────────────────────────────────

function schedule() {
  state.frame ||= requestAnimationFrame(render);
}

function render() {
  state.frame = 0;
  const dirty = new Set(state.dirty);
  state.dirty.clear();
  if (dirty.has('ticker')) renderTicker();
  if (dirty.has('sessions')) renderSessions();
  if (dirty.has('summary')) renderSummary();
  if (dirty.has('session-view') && state.selected) void openSession(state.selected);
}

function text(tag, content, attrs = {}) {
  const node = document.createElement(tag);
  if (content !== undefined && content !== null) node.textContent = String(content);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

const shortId = (id) => (id.length > 12 ? `${id.slice(0, 10)}…` : id);
const ms = (x) => (x === null || x === undefined ? '—' : x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${Math.round(x)} ms`);
const pct = (x) => `${(x * 100).toFixed(1)}%`;

function renderTicker() {
  const list = $('ticker');
  list.replaceChildren(
    ...state.ticker
      .slice()
      .reverse()
      .map((t) => text('li', `${t.at.slice(11, 23)} ${shortId(t.session_id)}${t.turn ? ` #${t.turn}` : ''} ${t.text}`, { class: `kind-${t.kind}`, 'data-session': t.session_id })),
  );
}

function renderSessions() {
  const rows = [...state.rows.values()].sort((a, b) => String(b.updated_at ?? '').localeCompare(String(a.updated_at ?? ''))).slice(0, 100);
  const now = Date.now();
  $('sessions').tBodies[0].replaceChildren(
    ...rows.map((r) => {
      const tr = document.createElement('tr');
      tr.dataset.session = r.session_id;
      if (r.session_id === state.selected) tr.className = 'selected';
      const duration = r.status === 'active' && r.started_at ? now - Date.parse(r.started_at) : r.duration_ms;
      const recovery = [r.retries && `${r.retries} retry`, r.fallbacks && `${r.fallbacks} fallback`, r.regenerations && `${r.regenerations} regen`].filter(Boolean).join(', ');
      tr.append(
        text('td', shortId(r.session_id), { title: r.session_id }),
        text('td', r.error_code ? `${r.status} · ${r.error_code}` : r.status, { class: `status ${r.status}` }),
        text('td', r.stage ?? '—', { class: 'stage' }),
        text('td', r.turn || '—'),
        text('td', ms(duration)),
        text('td', r.generator ?? '—'),
        text('td', r.confidence === null || r.confidence === undefined ? '—' : r.confidence.toFixed(2)),
        text('td', r.is_valid === null || r.is_valid === undefined ? '—' : r.is_valid ? 'yes' : 'no'),
        text('td', recovery || '—'),
        text('td', r.query ?? '', { class: 'question', title: r.query ?? '' }),
      );
      tr.onclick = () => select(r.session_id);
      return tr;
    }),
  );
}

function bars(container, items, { max, format, cls = '' } = {}) {
  const top = max ?? Math.max(1, ...items.map((i) => Math.max(i.value, i.value2 ?? 0)));
  $(container).replaceChildren(
    ...items.map((item) => {
      const row = text('div', undefined, { class: 'row', 'data-label': item.label, 'data-value': item.value });
      const track = text('div', undefined, { class: 'track' });
      if (item.value2 !== undefined) track.append(text('div', undefined, { class: 'fill p95', style: `width:${(100 * item.value2) / top}%` }));
      track.append(text('div', undefined, { class: `fill ${item.cls ?? cls}`, style: `width:${(100 * item.value) / top}%` }));
      row.append(text('span', item.label, { class: 'label', title: item.label }), track, text('span', format ? format(item) : item.value, { class: 'value' }));
      return row;
    }),
  );
}

function renderSummary() {
  const s = state.summary;
  const ended = s.workflows.completed + s.workflows.failed + s.workflows.expired;
  const totals = { started: s.workflows.started, completed: s.workflows.completed, failed: s.workflows.failed, 'in flight': s.sessions.active_turns, 'completion rate': ended ? pct(s.workflows.completed / ended) : '—', sessions: s.sessions.retained, dashboards: s.streams };
  $('totals').replaceChildren(...Object.entries(totals).map(([k, v]) => {
    const d = text('div');
    d.append(text('dt', k), text('dd', v, { 'data-total': k }));
    return d;
  }));
  $('server').textContent = `${s.version ? `v${s.version} · ` : ''}up ${s.uptime_s} s`;
  $('rates').textContent = ended ? `completion ${pct(s.workflows.completed / ended)} · failure ${pct((s.workflows.failed + s.workflows.expired) / ended)} of ${ended} turns` : 'no finished turn yet';

  const stages = Object.entries(s.stage_latency).filter(([, l]) => l.count > 0);
  bars('latency', stages.map(([stage, l]) => ({ label: stage, value: l.p50_ms, value2: l.p95_ms })), { format: (i) => `${ms(i.value)} / ${ms(i.value2)}` });
  const agents = Object.entries(s.agents);
  bars('agent-failures', agents.map(([name, a]) => ({ label: name, value: a.failures, calls: a.calls, cls: a.failures ? 'bad' : '' })), { format: (i) => `${i.value} / ${i.calls}` });
  $('breakers').replaceChildren(...agents.map(([name, a]) => text('span', `${name}: ${a.circuit}`, { class: `chip ${a.circuit}`, 'data-agent': name })));
  bars('cache', Object.entries(s.cache).map(([name, c]) => ({ label: name, value: c.hit_ratio, hits: c.hits, misses: c.misses, cls: 'ok' })), { max: 1, format: (i) => `${pct(i.value)} (${i.hits}/${i.hits + i.misses})` });
  $('recovery').replaceChildren(...Object.entries(s.recovery).map(([k, v]) => {
    const d = text('div');
    d.append(text('dt', k), text('dd', v));
    return d;
  }));
  bars('error-codes', Object.entries(s.error_codes).map(([code, n]) => ({ label: code, value: n, cls: 'bad' })));
  bars('turn-durations', histogramItems(s.latency_buckets_ms, s.turn_latency.buckets, (b) => ms(b)));
  bars('session-durations', s.sessions.duration_buckets.map((b, i, all) => ({ label: `≤ ${seconds(b.le)}${i === all.length - 1 ? '' : ''}`, value: b.count })));
  const b = s.bulkhead;
  bars('bulkhead', [
    { label: 'agents running', value: b.in_flight, limit: b.limit },
    { label: 'waiting', value: b.queued, limit: b.limit, cls: 'bad' },
    { label: 'peak', value: b.peak, limit: b.limit, cls: 'p95' },
  ], { max: Math.max(1, b.limit, b.queued), format: (i) => `${i.value} / ${i.limit}` });

  const select = $('histogram-stage');
  if (select.options.length === 0) {
    for (const stage of Object.keys(s.stage_latency)) select.append(text('option', stage, { value: stage }));
    select.value = 'query_generation';
    select.onchange = () => drawHistogram();
  }
  drawOutcomes();
  drawHistogram();
  drawBulkhead();
}

function histogramItems(bounds, counts, label) {
  return counts.map((count, i) => ({ label: i < bounds.length ? `≤ ${label(bounds[i])}` : `> ${label(bounds[bounds.length - 1])}`, value: count })).filter((item, i, all) => item.value > 0 || all.slice(i).some((x) => x.value > 0));
}

const seconds = (s) => (s >= 3600 ? `${s / 3600} h` : s >= 60 ? `${s / 60} min` : `${s} s`);

// ── uPlot charts ─────────────────────────────────────────────────────────

const plots = {};

function plot(name, container, opts, data) {
  const width = Math.max(200, $(container).clientWidth);
  if (!plots[name]) {
    plots[name] = new uPlot({ width, height: 150, ...opts }, data, $(container));
    return;
  }
  if (plots[name].width !== width) plots[name].setSize({ width, height: 150 });
  plots[name].setData(data);
}

function drawOutcomes() {
  const { points, bucket_ms } = state.summary.series;
  const xs = points.map((p) => p.t / 1000);
  const data = [xs, points.map((p) => p.completed), points.map((p) => p.failed + p.expired)];
  plot('outcomes', 'outcomes-chart', {
    series: [{}, { label: 'completed', stroke: '#1f9d55', fill: 'rgba(31,157,85,.12)' }, { label: 'failed', stroke: '#d64545', fill: 'rgba(214,69,69,.12)' }],
    scales: { x: { time: true, range: () => [Date.parse(state.summary.at) / 1000 - 600, Date.parse(state.summary.at) / 1000] }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
    axes: [{}, { label: `per ${bucket_ms / 1000} s` }],
  }, data);
}

function drawHistogram() {
  const s = state.summary;
  const stage = $('histogram-stage').value || 'query_generation';
  const counts = s.stage_latency[stage]?.buckets ?? [];
  const bounds = s.latency_buckets_ms;
  const xs = counts.map((_, i) => i);
  plot('histogram', 'histogram-chart', {
    series: [{}, { label: `${stage} turns`, stroke: '#2f7df6', fill: 'rgba(47,125,246,.35)', paths: uPlot.paths.bars({ size: [0.8] }), points: { show: false } }],
    scales: { x: { time: false, range: [-0.5, bounds.length + 0.5] }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
    axes: [{ values: (_u, ticks) => ticks.map((i) => (Number.isInteger(i) ? (i < bounds.length ? `≤${ms(bounds[i])}` : `>${ms(bounds[bounds.length - 1])}`) : '')), space: 48 }, {}],
    legend: { show: true },
  }, [xs, counts]);
}

function drawBulkhead() {
  plot('bulkhead', 'bulkhead-chart', {
    series: [{}, { label: 'running', stroke: '#2f7df6' }, { label: 'waiting', stroke: '#d64545' }],
    scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(state.summary.bulkhead.limit, max, 1)] } },
  }, state.bulkheadSeries);
}

// ── One session ──────────────────────────────────────────────────────────

function select(id) {
  state.selected = id;
  state.dirty.add('sessions');
  schedule();
  void openSession(id);
}

async function openSession(id) {
  const view = $('session-view');
  view.hidden = false;
  $('session-title').textContent = `Session ${id}`;
  let snapshot;
  try {
    snapshot = await api(`/v1/sessions/${encodeURIComponent(id)}`);
  } catch (error) {
    $('session-body').replaceChildren(text('p', `This session is no longer retained (${error.message}).`, { class: 'muted' }));
    return;
  }
  if (state.selected !== id) return;
  const body = [];
  body.push(text('p', `${snapshot.status}${snapshot.expired_reason ? ` (${snapshot.expired_reason})` : ''} · created ${snapshot.created_at} · updated ${snapshot.updated_at}`, { class: 'muted' }));
  for (const turn of snapshot.turns) body.push(renderTurn(turn));
  if (snapshot.recovery.length) {
    body.push(text('h3', 'Recovery'));
    const list = text('ul');
    for (const r of snapshot.recovery) list.append(text('li', `${r.at.slice(11, 23)} turn ${r.turn} · ${r.kind} · ${r.role}/${r.agent}: ${r.detail}`));
    body.push(list);
  }
  body.push(text('h3', `AgentMessage log (${snapshot.messages.length}, in order)`));
  const table = text('table', undefined, { class: 'messages' });
  const head = text('tr');
  for (const h of ['time', 'type', 'from → to', 'correlation', 'content']) head.append(text('th', h));
  table.append(head);
  for (const m of snapshot.messages) {
    const tr = text('tr');
    const content = text('td');
    const details = text('details');
    const json = JSON.stringify(m.content);
    details.append(text('summary', json.length > 90 ? `${json.slice(0, 90)}…` : json), text('pre', JSON.stringify(m.content, null, 2)));
    content.append(details);
    tr.append(text('td', m.timestamp.slice(11, 23)), text('td', m.message_type), text('td', `${m.sender} → ${m.receiver}`), text('td', m.correlation_id), content);
    table.append(tr);
  }
  body.push(table);
  $('session-body').replaceChildren(...body);
}

function renderTurn(turn) {
  const box = text('div', undefined, { class: 'turn', 'data-turn': turn.turn });
  box.append(text('h3', `Turn ${turn.turn} · ${turn.mode} · ${turn.outcome ?? 'running'}`), text('p', turn.query));
  const timings = Object.entries(turn.stages).map(([stage, s]) => `${stage} ${ms(s.ms)}${s.attempts > 1 ? ` (${s.attempts} calls)` : ''}`);
  box.append(text('p', timings.join(' → '), { class: 'muted' }));
  const result = turn.result;
  if (!result) return box;
  if (result.error_code) {
    box.append(text('p', `${result.error_code} at ${result.failed_stage}: ${result.error}`, { class: 'error' }));
    if (result.suggestions?.length) box.append(text('p', `suggestions: ${result.suggestions.join('; ')}`, { class: 'muted' }));
    return box;
  }
  box.append(text('p', `generator ${result.metadata.generator ?? '—'} · confidence ${result.confidence.toFixed(2)} · ${result.validation.is_valid ? 'valid' : 'invalid'}`));
  box.append(text('pre', result.sql, { class: 'sql' }));
  const issues = result.validation.details.issues;
  if (issues.length) {
    const list = text('ul', undefined, { class: 'issues' });
    for (const issue of issues) list.append(text('li', `${issue.severity} · ${issue.layer}${issue.position !== undefined ? ` @${issue.position}` : ''}: ${issue.message}${issue.suggestion ? ` — ${issue.suggestion}` : ''}`, { class: issue.severity }));
    box.append(list);
  } else {
    box.append(text('p', 'no validator issue', { class: 'muted' }));
  }
  box.append(text('h3', 'Reasoning'), text('p', result.reasoning));
  if (result.training) {
    box.append(text('h3', `Rewards (total ${result.training.total_reward.toFixed(3)})`));
    const list = text('ul', undefined, { class: 'rewards' });
    for (const [name, value] of Object.entries(result.training.rewards)) list.append(text('li', `${name}: ${Number(value).toFixed(3)}`));
    box.append(list);
  }
  return box;
}

// ── Start ────────────────────────────────────────────────────────────────

async function start() {
  const layout = await fetch('/dashboard/workflow.json').then((r) => r.json());
  drawChart(layout);
  await refresh();
  await connect();
  setInterval(refresh, REFRESH_MS);
  // Durations of active sessions count up; nothing to redraw when none is active.
  setInterval(() => {
    if (state.live.size === 0) return;
    state.dirty.add('sessions');
    schedule();
  }, 1000);
}

start().catch((error) => {
  $('server').textContent = `the dashboard could not start: ${error.message}`;
});
