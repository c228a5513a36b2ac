/**
 * The HTML report's page script (compiled and inlined by page.ts; runs in the browser). Every
 * value from the run reaches the page through textContent or canvas text, never as markup.
 * The timeline is one canvas that draws only the rows in view, so it stays quick at any size.
 */
import type { PageData, PageHost, PageStep } from './data.ts';

type Status = PageHost['s'];
const STATUSES: Status[] = ['failed', 'unreachable', 'changed', 'ok', 'skipped'];
const SEVERITY: Record<Status, number> = { unreachable: 0, failed: 1, changed: 2, ok: 3, skipped: 4 };
const COLOR: Record<Status, string> = {
  ok: '#2e9d57',
  changed: '#d08a00',
  failed: '#d23c3c',
  unreachable: '#7b3fb6',
  skipped: '#9aa0a6',
};

const data = JSON.parse(document.getElementById('run-data')!.textContent!) as PageData;
const S = data.S;

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

const byId = (id: string) => document.getElementById(id)!;

function seconds(ms: number | undefined): string {
  if (ms === undefined) return '';
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}

/** An axis label: 0.5 s, 20 s, 1:30. */
function tick(ms: number): string {
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(2))} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

const hostMs = (h: PageHost) => (h.a !== undefined && h.b !== undefined ? h.b - h.a : undefined);
const failedStep = (h: PageHost): PageStep | undefined => (h.f === undefined ? undefined : h.st[h.f]);
const stepLabel = (h: PageHost) => {
  const step = failedStep(h);
  return step ? S[step.n]! : '';
};
const hostMessage = (h: PageHost) => {
  const step = failedStep(h);
  if (step) return S[step.m]!;
  if (h.r) return h.r;
  if (h.dr) return `drift: ${h.dr}`;
  const changed = h.st.filter((s) => s.s === 'changed').map((s) => S[s.n]);
  return changed.length ? `changed: ${changed.join(', ')}` : '';
};

// ---- header -------------------------------------------------------------------------------

function header(): void {
  document.title = `${data.title} report`;
  byId('title').textContent = `${data.title} report`;
  const exit = byId('exit');
  exit.textContent = `exit status ${data.exit.code}: ${data.exit.meaning}`;
  exit.dataset.code = String(data.exit.code);
  const meta = byId('meta');
  for (const [label, value] of data.meta) {
    const row = el('div');
    row.append(el('dt', undefined, label), el('dd', undefined, value));
    meta.append(row);
  }
}

// ---- filtering, search and sorting ----------------------------------------------------------

let filter: Status | 'all' = 'all';
let query = '';
let sortKey = 'order';
let sortUp = true;
const haystack = data.hosts.map((h) =>
  [h.n, h.s, h.r ?? '', h.dr ?? '', ...h.st.flatMap((s) => [S[s.n], S[s.m]])].join('\n').toLowerCase(),
);
let visible: number[] = [];

function compare(key: string): (a: number, b: number) => number {
  const H = data.hosts;
  const text = (f: (h: PageHost) => string) => (a: number, b: number) =>
    f(H[a]!).localeCompare(f(H[b]!), undefined, { numeric: true });
  switch (key) {
    case 'host':
      return text((h) => h.n);
    case 'status':
      return (a, b) => SEVERITY[H[a]!.s] - SEVERITY[H[b]!.s] || a - b;
    case 'step':
      return text(stepLabel);
    case 'message':
      return text(hostMessage);
    case 'duration':
      return (a, b) => (hostMs(H[a]!) ?? -1) - (hostMs(H[b]!) ?? -1) || a - b;
    default:
      return (a, b) => a - b;
  }
}

function applyView(): void {
  const q = query.trim().toLowerCase();
  const order = data.hosts.map((_, i) => i).sort(compare(sortKey));
  if (!sortUp) order.reverse();
  visible = order.filter((i) => (filter === 'all' || data.hosts[i]!.s === filter) && (!q || haystack[i]!.includes(q)));
  renderRows();
  timeline.resize();
  byId('shown').textContent = `${visible.length} of ${data.hosts.length} hosts shown`;
}

function filters(): void {
  const box = byId('filters');
  const buttons: HTMLButtonElement[] = [];
  const add = (value: Status | 'all', label: string, count: number) => {
    const button = el('button', `chip chip-${value}`);
    button.type = 'button';
    button.dataset.status = value;
    button.append(el('span', 'chip-label', label), el('span', 'chip-count', String(count)));
    button.setAttribute('aria-pressed', String(value === filter));
    button.addEventListener('click', () => {
      filter = value;
      for (const b of buttons) b.setAttribute('aria-pressed', String(b.dataset.status === filter));
      applyView();
    });
    buttons.push(button);
    box.append(button);
  };
  add('all', 'all', data.hosts.length);
  // counted from the hosts, so each count is what its filter shows
  for (const status of STATUSES) add(status, status, data.hosts.filter((h) => h.s === status).length);
  const search = byId('search') as HTMLInputElement;
  search.addEventListener('input', () => {
    query = search.value;
    applyView();
  });
  for (const th of Array.from(document.querySelectorAll<HTMLElement>('#hosts th[data-key]'))) {
    const sort = () => {
      const key = th.dataset.key!;
      sortUp = sortKey === key ? !sortUp : true;
      sortKey = key;
      for (const other of Array.from(document.querySelectorAll('#hosts th[data-key]')))
        other.removeAttribute('aria-sort');
      th.setAttribute('aria-sort', sortUp ? 'ascending' : 'descending');
      applyView();
    };
    th.tabIndex = 0;
    th.addEventListener('click', sort);
    th.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        sort();
      }
    });
  }
}

// ---- host table and details ---------------------------------------------------------------

const rows = new Map<number, HTMLTableRowElement>();
const details = new Map<number, HTMLTableRowElement>();
const open = new Set<number>();

function badge(status: Status): HTMLElement {
  return el('span', `badge badge-${status}`, status);
}

function hostRow(i: number): HTMLTableRowElement {
  let row = rows.get(i);
  if (row) return row;
  const h = data.hosts[i]!;
  row = el('tr', 'host');
  row.dataset.host = h.n;
  row.dataset.status = h.s;
  row.tabIndex = 0;
  const status = el('td');
  status.append(badge(h.s));
  row.append(
    el('td', 'name', h.n),
    status,
    el('td', 'failed-step', stepLabel(h)),
    el('td', 'message', hostMessage(h)),
    el('td', 'num', seconds(hostMs(h))),
  );
  row.addEventListener('click', () => toggle(i));
  row.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      toggle(i);
    }
  });
  rows.set(i, row);
  return row;
}

function pre(className: string, text: string): HTMLElement {
  const block = el('pre', className);
  if (className === 'diff') {
    for (const line of text.split('\n')) {
      const kind =
        line.startsWith('+') && !line.startsWith('+++')
          ? 'add'
          : line.startsWith('-') && !line.startsWith('---')
            ? 'del'
            : line.startsWith('@@')
              ? 'hunk'
              : '';
      block.append(el('span', kind || undefined, `${line}\n`));
    }
  } else block.textContent = text;
  return block;
}

function keyValues(title: string, pairs: [string, string][]): HTMLElement {
  const box = el('div', 'kv');
  box.append(el('h4', undefined, title));
  const dl = el('dl');
  for (const [k, v] of pairs) {
    const row = el('div');
    row.append(el('dt', undefined, k), el('dd', undefined, v));
    dl.append(row);
  }
  box.append(dl);
  return box;
}

function hostDetails(i: number): HTMLTableRowElement {
  let row = details.get(i);
  if (row) return row;
  const h = data.hosts[i]!;
  row = el('tr', 'details');
  row.dataset.host = h.n;
  const cell = el('td');
  cell.colSpan = 5;
  if (h.r) cell.append(el('p', 'reason', h.r));
  if (h.dr) {
    const drift = el('p', 'drift');
    drift.append(el('strong', undefined, 'drift: '), document.createTextNode(h.dr));
    cell.append(drift);
  }
  if (h.c) {
    const c = h.c;
    const parts: [string, string][] = [['seen in Sophos Central', c.seen ? 'yes' : 'no']];
    if (c.at) parts.push(['seen at', c.at]);
    if (c.rule) parts.push(['rule', c.rule]);
    if (c.id) parts.push(['record id', c.id]);
    if (c.message) parts.push(['outcome', c.message]);
    cell.append(keyValues('Sophos Central', parts));
  }
  const list = el('ol', 'steps');
  for (const step of h.st) {
    const item = el('li', `step step-${step.s}`);
    const head = el('div', 'step-head');
    head.append(
      badge(step.s),
      el('span', 'step-name', S[step.n]!),
      el('span', 'step-time', seconds(step.a !== undefined && step.b !== undefined ? step.b - step.a : undefined)),
    );
    item.append(head);
    if (S[step.m]) item.append(el('p', 'step-message', S[step.m]!));
    for (const w of step.w ?? []) item.append(el('p', 'warning', `warning: ${w}`));
    if (step.rc !== undefined) item.append(el('p', 'rc', `rc=${step.rc}`));
    if (step.o !== undefined) item.append(pre('out', S[step.o]!));
    if (step.e !== undefined) item.append(pre('err', S[step.e]!));
    if (step.d !== undefined) item.append(pre('diff', S[step.d]!));
    if (step.kv) item.append(keyValues('more', step.kv));
    list.append(item);
  }
  if (!h.st.length) cell.append(el('p', 'none', 'no steps ran on this host'));
  cell.append(list);
  if (h.fx) cell.append(keyValues('facts', h.fx));
  if (h.kv) cell.append(keyValues('more about this host', h.kv));
  row.append(cell);
  details.set(i, row);
  return row;
}

function toggle(i: number, show = !open.has(i)): void {
  const row = hostRow(i);
  if (show) {
    open.add(i);
    row.after(hostDetails(i));
    row.classList.add('open');
  } else {
    open.delete(i);
    details.get(i)?.remove();
    row.classList.remove('open');
  }
  row.setAttribute('aria-expanded', String(show));
}

// The first rows at once, the rest in chunks after the first paint: a 1,000-host table then
// costs its layout once the page is on screen, not before.
const FIRST_ROWS = 300;
const CHUNK_ROWS = 400;
let pendingRows = 0;

function renderRows(): void {
  clearTimeout(pendingRows);
  const body = byId('rows');
  const fill = (from: number, to: number) => {
    const fragment = document.createDocumentFragment();
    for (const i of visible.slice(from, to)) {
      fragment.append(hostRow(i));
      if (open.has(i)) fragment.append(hostDetails(i));
    }
    return fragment;
  };
  body.replaceChildren(fill(0, FIRST_ROWS));
  let next = FIRST_ROWS;
  const more = () => {
    if (next >= visible.length) {
      document.body.dataset.rows = 'complete';
      performance.mark('rows-complete');
      return;
    }
    body.append(fill(next, next + CHUNK_ROWS));
    next += CHUNK_ROWS;
    pendingRows = window.setTimeout(more, 0);
  };
  document.body.dataset.rows = 'partial';
  pendingRows = window.setTimeout(more, 0);
  byId('empty').hidden = visible.length > 0;
}

// ---- timeline -----------------------------------------------------------------------------

const ROW = 18;
const AXIS = 24;
const LABEL = 190;

const timeline = (() => {
  const box = byId('timeline');
  const canvas = byId('timeline-canvas') as HTMLCanvasElement;
  const spacer = byId('timeline-spacer');
  const tip = byId('timeline-tip');
  const context = canvas.getContext('2d')!;
  const hasTimes = data.t0 !== null && data.span > 0;
  let width = 0;
  let height = 0;

  const x = (ms: number) => LABEL + (ms / data.span) * (width - LABEL - 12);

  function ticks(): number[] {
    const target = Math.max(2, Math.floor((width - LABEL) / 90));
    const raw = data.span / target;
    const steps = [
      1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 15000, 30000, 60000, 120000, 300000, 600000, 900000,
      1800000, 3600000,
    ];
    const step = steps.find((s) => s >= raw) ?? 3600000;
    const out: number[] = [];
    for (let t = 0; t <= data.span; t += step) out.push(t);
    return out;
  }

  function draw(): void {
    const ratio = window.devicePixelRatio || 1;
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, width, height);
    context.font = '12px system-ui, sans-serif';
    context.textBaseline = 'middle';
    const top = box.scrollTop;
    // each batch's wait for Sophos Central, as a band across every row
    if (hasTimes)
      for (const g of data.gates ?? []) {
        if (g.a === undefined || g.b === undefined) continue;
        context.fillStyle = g.outcome === 'failed' ? 'rgba(210, 60, 60, 0.10)' : 'rgba(9, 105, 218, 0.10)';
        context.fillRect(x(g.a), AXIS, Math.max(2, x(g.b) - x(g.a)), height - AXIS);
      }
    const first = Math.floor(top / ROW);
    const last = Math.min(visible.length, Math.ceil((top + height - AXIS) / ROW) + 1);
    for (let r = first; r < last; r++) {
      const h = data.hosts[visible[r]!]!;
      const y = AXIS + r * ROW - top;
      if (r % 2) {
        context.fillStyle = '#f5f6f8';
        context.fillRect(0, y, width, ROW);
      }
      context.fillStyle = '#1f2328';
      context.save();
      context.beginPath();
      context.rect(0, y, LABEL - 8, ROW);
      context.clip();
      context.fillText(h.n, 6, y + ROW / 2);
      context.restore();
      if (!hasTimes || h.a === undefined) {
        context.fillStyle = '#8b949e';
        context.fillText(h.r ?? 'no times recorded', LABEL + 4, y + ROW / 2);
        continue;
      }
      const end = h.b ?? data.span;
      context.fillStyle = '#d8dce1';
      context.fillRect(x(h.a), y + 4, Math.max(1, x(end) - x(h.a)), ROW - 8);
      for (const step of h.st) {
        if (step.a === undefined || step.b === undefined) continue;
        context.fillStyle = COLOR[step.s];
        context.fillRect(x(step.a), y + 3, Math.max(1.5, x(step.b) - x(step.a) - 0.5), ROW - 6);
      }
    }
    // the axis is drawn last, over rows scrolled beneath it
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, width, AXIS);
    context.strokeStyle = '#d0d7de';
    context.beginPath();
    context.moveTo(0, AXIS - 0.5);
    context.lineTo(width, AXIS - 0.5);
    context.stroke();
    context.fillStyle = '#57606a';
    context.fillText(hasTimes ? 'host  ·  time from the start' : 'host', 6, AXIS / 2);
    if (hasTimes) {
      for (const t of ticks()) {
        const px = x(t);
        context.fillRect(px, AXIS - 6, 1, 6);
        const label = tick(t);
        if ((px > LABEL + 20 || t === 0) && px + 3 + context.measureText(label).width < width)
          context.fillText(label, px + 3, AXIS / 2);
      }
    }
  }

  function resize(): void {
    const ratio = window.devicePixelRatio || 1;
    width = box.clientWidth;
    height = Math.min(AXIS + visible.length * ROW, 460);
    height = Math.max(height, AXIS + ROW);
    box.style.height = `${height}px`;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
    spacer.style.height = `${Math.max(0, AXIS + visible.length * ROW - height)}px`;
    draw();
  }

  function at(event: MouseEvent): { host: number; step?: PageStep } | undefined {
    const rect = canvas.getBoundingClientRect();
    const py = event.clientY - rect.top;
    if (py < AXIS) return undefined;
    const r = Math.floor((py - AXIS + box.scrollTop) / ROW);
    const index = visible[r];
    if (index === undefined) return undefined;
    const px = event.clientX - rect.left;
    const h = data.hosts[index]!;
    const step = h.st.find(
      (s) => s.a !== undefined && s.b !== undefined && px >= x(s.a) - 1 && px <= Math.max(x(s.b), x(s.a) + 2) + 1,
    );
    return { host: index, step };
  }

  let frame = 0;
  box.addEventListener('scroll', () => {
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(draw);
  });
  window.addEventListener('resize', () => resize());
  canvas.addEventListener('mousemove', (event) => {
    const hit = at(event);
    if (!hit) {
      tip.hidden = true;
      return;
    }
    const h = data.hosts[hit.host]!;
    const step = hit.step;
    tip.textContent = step
      ? `${h.n} · ${S[step.n]} · ${step.s} · ${seconds(step.b! - step.a!)}${S[step.m] ? ` · ${S[step.m]}` : ''}`
      : `${h.n} · ${h.s}${hostMs(h) !== undefined ? ` · ${seconds(hostMs(h))}` : ''}`;
    tip.hidden = false;
    tip.style.left = `${Math.min(event.clientX + 12, Math.max(0, window.innerWidth - 340))}px`;
    tip.style.top = `${event.clientY + 14}px`;
  });
  canvas.addEventListener('mouseleave', () => (tip.hidden = true));
  canvas.addEventListener('click', (event) => {
    const hit = at(event);
    if (!hit) return;
    toggle(hit.host, true);
    hostRow(hit.host).scrollIntoView({ block: 'center' });
    hostRow(hit.host).focus();
  });
  if (!hasTimes)
    byId('timeline-note').textContent =
      'This run document holds no start and end times (it was written by an older sls-play); the timeline is empty.';
  return { resize };
})();

// ---- Sophos Central gates ------------------------------------------------------------------

function gates(): void {
  if (!data.gates?.length) return;
  byId('gates').hidden = false;
  const body = byId('gate-rows');
  for (const g of data.gates) {
    const row = el('tr');
    row.dataset.outcome = g.outcome;
    const status: Status = g.outcome === 'passed' ? 'ok' : g.outcome === 'failed' ? 'failed' : 'skipped';
    const outcome = el('td');
    outcome.append(el('span', `badge badge-${status}`, g.outcome));
    row.append(
      el('td', '', String(g.batch)),
      outcome,
      el('td', '', seconds(g.seconds * 1000)),
      el('td', '', g.hosts.join(', ')),
      el('td', '', g.notSeen.join(', ')),
      el('td', '', g.message),
    );
    body.append(row);
  }
}

header();
gates();
filters();
applyView();
document.body.dataset.ready = 'true';
performance.mark('report-ready');
