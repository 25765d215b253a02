/*
 * Relay's web console: a client of the admin API (docs/admin-api.md), no framework, no build step.
 *
 * Rules this file keeps:
 * - Everything shown comes from the API and much of it from mail (addresses, subjects, replies): it
 *   goes into the page as text only (createElement, textContent, append of strings), never as HTML.
 * - The token lives in sessionStorage (this tab, until sign-out or the tab closes): never in a
 *   cookie, never in a URL. Each request carries it as "Authorization: Bearer"; a 401 signs out.
 * - A read-only token gets no action buttons at all (the API would refuse them with 403 anyway).
 * - Destructive actions (delete, bounce, suspending a connector) ask first.
 */
'use strict';

(() => {
  const TOKEN_KEY = 'relay.console.token';
  const VIEW_KEY = 'relay.console.view';
  /** Rows listed at most: the listing reads each message, so keep it short; filters narrow it. */
  const LIST_LIMIT = 200;
  const REFRESH_MS = 15000;
  const AGE_BUCKETS = ['<5m', '5m-1h', '1h-4h', '4h-1d', '1d-2d', '>2d'];
  const STATES = {
    ACTIVE: 'active',
    DEFERRED: 'deferred',
    HELD: 'held (configuration problem)',
    SUSPENDED: 'held by an operator',
  };
  const MESSAGE_ACTIONS = {
    retry: { label: 'Retry' },
    hold: { label: 'Hold' },
    release: { label: 'Release' },
    delete: {
      label: 'Delete',
      confirm: (id) => `Delete message ${id}? It is removed from the queue and nobody is told. This cannot be undone.`,
    },
    bounce: {
      label: 'Bounce',
      confirm: (id) => `Bounce message ${id}? It is removed from the queue and its sender gets a failure notice. This cannot be undone.`,
    },
  };
  const CONNECTOR_ACTIONS = {
    suspend: {
      label: 'Suspend',
      confirm: (name) => `Suspend connector ${name}? Nothing is delivered through it until it is resumed; mail keeps queueing.`,
    },
    resume: { label: 'Resume' },
    retry: { label: 'Retry now' },
  };

  const $ = (id) => document.getElementById(id);
  const session = { operator: null, clockOffset: 0, view: 'overview', timer: null, busy: false, detailId: null, generation: 0 };

  // ---- building the page: text only ------------------------------------------------------------

  /** An element with fixed attributes (names from this file, values may be data) and text or nodes. */
  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === 'onclick') node.addEventListener('click', value);
      else node.setAttribute(name, value === true ? '' : String(value));
    }
    for (const child of children.flat()) {
      if (child !== null && child !== undefined && child !== false) node.append(child); // strings become text
    }
    return node;
  }

  function say(text, kind) {
    const status = $('status');
    status.textContent = text;
    status.className = 'status' + (kind ? ' ' + kind : '');
  }

  function now() {
    return Date.now() + session.clockOffset;
  }

  /** 45s, 12m, 3h 5m, 2d 4h. */
  function span(ms) {
    const s = Math.max(0, Math.round(ms / 1000));
    if (s < 60) return `${s}s`;
    const m = Math.floor(s / 60);
    if (m < 60) return `${m}m`;
    const h = Math.floor(m / 60);
    if (h < 24) return `${h}h ${m % 60}m`;
    return `${Math.floor(h / 24)}d ${h % 24}h`;
  }

  /** A time element: its text from {@code text(ms)}, the exact time in its title. */
  function time(iso, text) {
    if (!iso) return '—';
    const at = Date.parse(iso);
    if (Number.isNaN(at)) return String(iso);
    return el('time', { datetime: iso, title: new Date(at).toLocaleString() }, text(at));
  }

  const ago = (iso) => time(iso, (at) => `${span(now() - at)} ago`);
  const age = (iso) => time(iso, (at) => span(now() - at));

  /** A count from the API; the relay reports -1 when it could not count. */
  function count(n) {
    return typeof n === 'number' && n >= 0 ? String(n) : '?';
  }

  function fill(tbody, rows, columns, empty) {
    tbody.replaceChildren(...(rows.length ? rows
      : [el('tr', { class: 'empty' }, el('td', { colspan: columns }, empty))]));
  }

  // ---- the API ---------------------------------------------------------------------------------

  class SignedOut extends Error {}

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  async function api(path, method = 'GET') {
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (!token) throw new SignedOut();
    const response = await fetch(path, {
      method,
      headers: { Authorization: `Bearer ${token}` },
      cache: 'no-store',
      credentials: 'omit',
      redirect: 'error',
    });
    // Ages are the relay's idea of now: correct for a browser clock that is off by more than a blink.
    const date = Date.parse(response.headers.get('Date') || '');
    if (!Number.isNaN(date)) {
      const offset = date - Date.now();
      session.clockOffset = Math.abs(offset) > 2000 ? offset : 0;
    }
    if (response.status === 401) throw new SignedOut();
    return response;
  }

  async function answer(response) {
    try {
      return await response.json();
    } catch (e) {
      return {};
    }
  }

  async function json(path) {
    const response = await api(path);
    const body = await answer(response);
    if (!response.ok) throw new ApiError(response.status, body.error || `HTTP ${response.status}`);
    return body;
  }

  /** The queue listing: one JSON object per line. */
  async function lines(path) {
    const response = await api(path);
    if (!response.ok) throw new ApiError(response.status, (await answer(response)).error || `HTTP ${response.status}`);
    return (await response.text()).split('\n').filter((line) => line.trim()).map((line) => JSON.parse(line));
  }

  /** Runs {@code work}; a 401 signs out, anything else is said in the status line. */
  async function guarded(work) {
    try {
      return await work();
    } catch (e) {
      if (e instanceof SignedOut) {
        signOut('The relay no longer accepts this token (a relay restart makes a new local token): sign in again.');
      } else {
        say(e instanceof ApiError ? `The relay answered ${e.status}: ${e.message}` : `Cannot reach the relay: ${e.message}`, 'error');
      }
      return undefined;
    }
  }

  // ---- sign-in and sign-out --------------------------------------------------------------------

  function canAct() {
    return session.operator !== null && session.operator.role === 'admin';
  }

  async function signIn(token) {
    sessionStorage.setItem(TOKEN_KEY, token);
    try {
      session.operator = await json('/api/whoami');
    } catch (e) {
      sessionStorage.removeItem(TOKEN_KEY);
      showLogin(e instanceof SignedOut ? 'This relay does not accept that token.'
        : `Cannot sign in: ${e.message}`);
      return;
    }
    showApp();
  }

  function signOut(reason) {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(VIEW_KEY);
    showLogin(reason || '');
  }

  function showLogin(reason) {
    session.operator = null;
    session.generation += 1;
    clearInterval(session.timer);
    session.timer = null;
    if ($('confirm').open) $('confirm').close('cancel');
    // Nothing of the last session stays in the page.
    for (const part of document.querySelectorAll('#app tbody, #ages-table thead, #detail-fields')) part.replaceChildren();
    for (const id of ['overview-total', 'messages-count', 'trace-status', 'who-name', 'who-role']) $(id).textContent = '';
    session.detailId = null;
    $('detail').hidden = true;
    for (const id of ['app', 'who', 'refresh', 'sign-out']) $(id).hidden = true;
    $('login').hidden = false;
    say('');
    $('login-error').textContent = reason;
    $('token').value = '';
    $('token').focus();
  }

  function showApp() {
    $('login').hidden = true;
    $('login-error').textContent = '';
    $('who-name').textContent = session.operator.name;
    $('who-role').textContent = session.operator.role === 'admin' ? 'may act' : 'read-only';
    document.body.classList.toggle('read-only', !canAct());
    $('read-only').hidden = canAct();
    for (const id of ['app', 'who', 'refresh', 'sign-out']) $(id).hidden = false;
    selectView(sessionStorage.getItem(VIEW_KEY) || 'overview', false);
    clearInterval(session.timer);
    session.timer = setInterval(() => {
      if (!document.hidden && !$('confirm').open && !session.busy) refresh();
    }, REFRESH_MS);
  }

  // ---- views -----------------------------------------------------------------------------------

  const VIEWS = { overview: loadOverview, messages: loadMessages, connectors: loadConnectors, trace: loadTrace };

  function selectView(view, focus) {
    if (!VIEWS[view]) view = 'overview';
    session.view = view;
    sessionStorage.setItem(VIEW_KEY, view);
    for (const tab of document.querySelectorAll('[role=tab]')) {
      const selected = tab.dataset.view === view;
      tab.setAttribute('aria-selected', String(selected));
      tab.tabIndex = selected ? 0 : -1;
      $(tab.getAttribute('aria-controls')).hidden = !selected;
      if (selected && focus) tab.focus();
    }
    refresh();
  }

  /**
   * Loads the current view again. Each view's loader fetches first and returns what draws it, so
   * that an answer overtaken by a later refresh, another view or a sign-out is dropped, not drawn.
   */
  async function refresh() {
    const generation = ++session.generation;
    const view = session.view;
    session.busy = true;
    try {
      await guarded(async () => {
        const draw = await VIEWS[view]();
        if (generation === session.generation && session.operator !== null) {
          draw();
          if (view === 'messages' && session.detailId) await showDetail(session.detailId, false);
        }
      });
    } finally {
      if (generation === session.generation) session.busy = false;
    }
  }

  function delivery(connector, configured) {
    if (!configured) return 'not configured: mail held';
    if (!connector) return '—';
    if (connector.suspended) return 'suspended';
    if (connector.pausedUntil) {
      return el('span', {}, 'paused until ', time(connector.pausedUntil, (at) => new Date(at).toLocaleTimeString()),
        ' (upstream unreachable)');
    }
    return 'delivering';
  }

  async function loadOverview() {
    const [summary, connectors, intake, cluster] = await Promise.all([json('/api/queue/summary'),
      json('/api/connectors'), json('/api/intake'), json('/api/cluster')]);
    // Only a node with others to ask shows them (GET /api/cluster/queue/summary asks every node).
    const nodes = cluster.nodes.length ? await json('/api/cluster/queue/summary') : null;
    const states = new Map(connectors.map((c) => [c.name, c]));
    const queues = new Map(summary.connectors.map((q) => [q.connector, q]));
    const names = [...new Set([...queues.keys(), ...states.keys()])].sort();
    // The summary names each connector's oldest arrival (from the spool's index, cheap at any size).
    const oldest = new Map(summary.connectors.filter((q) => q.oldest).map((q) => [q.connector, q.oldest]));
    return () => {
      drawOverview(summary, states, queues, names, oldest, intake);
      drawNodes(nodes);
    };
  }

  /** Each node's queue from the cluster summary, or nothing when this node is on its own. */
  function drawNodes(cluster) {
    $('cluster').hidden = !cluster;
    if (!cluster) {
      return;
    }
    const answered = cluster.nodes.length - cluster.unreachable;
    $('cluster-total').textContent =
      `${cluster.total} message(s) queued on ${answered} of ${cluster.nodes.length} node(s).`;
    fill($('cluster-table').tBodies[0], cluster.nodes.map((n) => {
      const sum = (field) => n.summary ? n.summary.connectors.reduce((total, c) => total + c[field], 0) : null;
      return el('tr', { 'data-node': n.node },
        el('th', { scope: 'row' }, n.node),
        el('td', { class: 'num' }, n.summary ? count(n.summary.total) : '—'),
        el('td', { class: 'num' }, n.summary ? count(sum('active')) : '—'),
        el('td', { class: 'num' }, n.summary ? count(sum('deferred')) : '—'),
        el('td', { class: 'num' }, n.summary ? count(sum('held')) : '—'),
        el('td', n.error ? { class: 'error' } : {}, n.error || 'ok'));
    }), 6, 'No nodes.');
  }

  function drawOverview(summary, states, queues, names, oldest, intake) {
    // A drained node says so first: it is why no new mail arrives (relay drain --undo ends it).
    $('overview-total').textContent = (intake.accepting ? ''
      : `Drained since ${new Date(intake.drainedSince).toLocaleString()} by ${intake.drainedBy}: new mail gets 421, `
        + 'the queue is still delivered (relay drain --undo to accept mail). ') + `${summary.total} message(s) queued.`;
    fill($('overview-table').tBodies[0], names.map((name) => {
      const q = queues.get(name) || { active: 0, deferred: 0, held: 0, configured: true };
      return el('tr', { 'data-connector': name },
        el('th', { scope: 'row' }, name),
        el('td', {}, delivery(states.get(name), q.configured !== false)),
        el('td', { class: 'num' }, count(q.active)),
        el('td', { class: 'num' }, count(q.deferred)),
        el('td', { class: 'num' }, count(q.held)),
        el('td', {}, oldest.get(name) ? age(oldest.get(name)) : '—'));
    }), 6, 'No connectors.');
    const buckets = [...AGE_BUCKETS, ...Object.keys(summary.ages || {}).filter((b) => !AGE_BUCKETS.includes(b))];
    const ages = $('ages-table');
    ages.tHead.replaceChildren(el('tr', {}, el('th', { scope: 'col' }, 'Age'),
      buckets.map((b) => el('th', { scope: 'col', class: 'num' }, b))));
    ages.tBodies[0].replaceChildren(el('tr', {}, el('th', { scope: 'row' }, 'Messages'),
      buckets.map((b) => el('td', { class: 'num' }, count((summary.ages || {})[b] || 0)))));
  }

  function filterQuery() {
    const params = new URLSearchParams();
    for (const [name, value] of new FormData($('filter-form'))) {
      if (String(value).trim()) params.set(name, String(value).trim());
    }
    params.set('limit', String(LIST_LIMIT + 1));
    return params.toString();
  }

  function reasons(entry) {
    const seen = [...new Set(entry.recipients.filter((r) => r.status !== 'delivered' && r.lastReply).map((r) => r.lastReply))];
    return seen.length ? el('ul', { class: 'plain' }, seen.map((r) => el('li', {}, r))) : '—';
  }

  function nextAttempt(entry) {
    if (entry.state === 'HELD' || entry.state === 'SUSPENDED') return entry.nextAttempt ? el('span', {}, 'held ', ago(entry.nextAttempt)) : '—';
    if (!entry.nextAttempt) return '—';
    return time(entry.nextAttempt, (at) => (at <= now() ? 'now' : `in ${span(at - now())}`));
  }

  function actionsFor(entry) {
    if (entry.state === 'HELD' || entry.state === 'SUSPENDED') return ['release', 'delete', 'bounce'];
    return ['retry', 'hold', 'delete', 'bounce'];
  }

  function actionButtons(kind, target, names, table) {
    if (!canAct()) return null;
    return el('td', { class: 'acts' }, names.map((name) => el('button', {
      type: 'button',
      class: table[name].confirm ? 'danger' : null,
      'data-action': name,
      'aria-label': `${table[name].label} ${kind === 'queue' ? 'message' : 'connector'} ${target}`,
      onclick: (event) => act(kind, target, name, table[name], event.currentTarget),
    }, table[name].label)));
  }

  function messageRow(entry) {
    return el('tr', { 'data-id': entry.id, 'data-state': entry.state.toLowerCase() },
      el('th', { scope: 'row' }, el('button', {
        type: 'button', class: 'link', 'data-show': entry.id, 'aria-label': `Show message ${entry.id}`,
        onclick: () => guarded(() => showDetail(entry.id, true)),
      }, entry.id)),
      el('td', {}, entry.connector),
      el('td', {}, STATES[entry.state] || entry.state),
      el('td', { class: 'address' }, entry.sender === '<>' ? '<> (a notification)' : entry.sender),
      el('td', { class: 'address' }, el('ul', { class: 'plain' },
        entry.recipients.map((r) => el('li', {}, r.address, el('span', { class: 'muted' }, ` ${r.status}`))))),
      el('td', { class: 'reason' }, reasons(entry)),
      el('td', {}, age(entry.received)),
      el('td', { class: 'num' }, String(entry.attempts)),
      el('td', {}, nextAttempt(entry)),
      actionButtons('queue', entry.id, actionsFor(entry), MESSAGE_ACTIONS));
  }

  async function loadMessages() {
    const entries = await lines(`/api/queue?${filterQuery()}`);
    return () => drawMessages(entries);
  }

  function drawMessages(entries) {
    const shown = entries.slice(0, LIST_LIMIT);
    $('messages-count').textContent = entries.length > LIST_LIMIT
      ? `The oldest ${LIST_LIMIT} matching messages; narrow the filters to see others.`
      : `${shown.length} message(s).`;
    fill($('messages-table').tBodies[0], shown.map(messageRow), 10, 'No queued message matches.');
  }

  async function showDetail(id, focus) {
    const response = await api(`/api/queue/${encodeURIComponent(id)}`);
    if (response.status === 404) {
      session.detailId = null;
      $('detail').hidden = true;
      if (focus) say(`${id} is no longer queued.`);
      return;
    }
    const detail = await answer(response);
    if (!response.ok) throw new ApiError(response.status, detail.error || `HTTP ${response.status}`);
    const entry = detail.entry;
    session.detailId = id;
    $('detail-title').textContent = `Message ${entry.id}`;
    const fields = [
      ['State', STATES[entry.state] || entry.state], ['Connector', entry.connector],
      ['Envelope sender', entry.sender], ['Client', detail.client], ['Inbound connector', detail.inboundConnector],
      ['Received', ago(entry.received)], ['Size', `${entry.size} bytes`], ['Requires TLS', entry.requireTls ? 'yes' : 'no'],
      ...Object.entries(detail.headers || {}).map(([name, value]) => [name, value]),
    ];
    $('detail-fields').replaceChildren(...fields.flatMap(([name, value]) => [el('dt', {}, name), el('dd', {}, value ?? '—')]));
    fill($('detail-recipients').tBodies[0], entry.recipients.map((r) => el('tr', {},
      el('th', { scope: 'row', class: 'address' }, r.address), el('td', {}, r.status),
      el('td', { class: 'num' }, String(r.attempts)), el('td', { class: 'reason' }, r.lastReply || '—'))), 4, 'None.');
    $('detail').hidden = false;
    if (focus) $('detail-title').focus();
  }

  function connectorRow(c) {
    return el('tr', { 'data-connector': c.name, 'data-suspended': String(c.suspended) },
      el('th', { scope: 'row' }, c.name),
      el('td', {}, c.type),
      el('td', {}, delivery(c, true)),
      el('td', { class: 'num' }, count(c.inMemory)),
      el('td', { class: 'num' }, count(c.inFlight)),
      el('td', { class: 'num' }, count(c.deferred)),
      el('td', { class: 'num' }, count(c.held)),
      el('td', { class: 'last-delivery' }, last(c.last && c.last.delivered, c.last && c.last.deliveredVia)),
      el('td', { class: 'last-failure reason' }, last(c.last && c.last.failed, c.last && c.last.failure)),
      actionButtons('connectors', c.name, [c.suspended ? 'resume' : 'suspend', 'retry'], CONNECTOR_ACTIONS));
  }

  /** When, and what (the upstream, or the reply), of a connector's last delivery or failure. */
  function last(at, what) {
    if (!at) return '—';
    return [ago(at), what ? el('div', { class: 'muted' }, what) : null];
  }

  async function loadConnectors() {
    const connectors = await json('/api/connectors');
    return () => fill($('connectors-table').tBodies[0], connectors.map(connectorRow), 10, 'No connectors.');
  }

  // ---- Trace: the tracking log through GET /api/trace and GET /api/trace/ID ----------------------

  const TRACE_LIMIT = 200;

  function traceQuery() {
    const params = new URLSearchParams();
    for (const [name, value] of new FormData($('trace-form'))) {
      if (String(value).trim()) params.set(name, String(value).trim());
    }
    params.set('limit', String(TRACE_LIMIT));
    return params.toString();
  }

  /** What a tracking line says beyond its columns: the reply, or the reason, or the rules' words. */
  function traceDetail(e) {
    if (e.event === 'received') return `from ${e.client} on ${e.connector}${e.subject ? `: ${e.subject}` : ''}`;
    if (e.event === 'dsn-queued') return `${e.action} notice to ${e.to}`;
    return e.reply || e.reason || e.why || '';
  }

  function traceVia(e) {
    if (e.remote_host) return `${e.connector} via ${e.remote_host}${e.remote_ip ? ` [${e.remote_ip}]` : ''}${e.tls ? `, ${e.tls.version}` : ''}`;
    return e.connector || '';
  }

  function traceRecipients(e) {
    return e.recipient || (Array.isArray(e.recipients) ? e.recipients.join(', ') : '');
  }

  function traceRow(e) {
    const id = e.id
      ? el('button', { type: 'button', class: 'link', onclick: () => guarded(() => showTimeline(e.id)) }, e.id)
      : (e.session ? `[${e.session}]` : '—');
    return el('tr', {}, el('td', {}, e.at), el('td', {}, e.event), el('td', {}, id), el('td', { class: 'address' }, e.sender || ''),
      el('td', { class: 'address' }, traceRecipients(e)), el('td', {}, traceVia(e)), el('td', { class: 'reason' }, traceDetail(e)));
  }

  async function loadTrace() {
    const response = await api(`/api/trace?${traceQuery()}`);
    if (response.status === 404) {
      return () => { $('trace-status').textContent = 'Message trace is not available on this relay.'; };
    }
    if (!response.ok) throw new ApiError(response.status, (await answer(response)).error || `HTTP ${response.status}`);
    const events = (await response.text()).split('\n').filter((line) => line.trim()).map((line) => JSON.parse(line));
    return () => {
      $('trace-status').textContent = events.length >= TRACE_LIMIT
        ? `The first ${TRACE_LIMIT} matching events; narrow the search to see others.` : `${events.length} event(s).`;
      fill($('trace-table').tBodies[0], events.map(traceRow), 7, 'Nothing in the tracking log matches.');
    };
  }

  async function showTimeline(id) {
    const events = await lines(`/api/trace/${encodeURIComponent(id)}`);
    $('timeline-title').textContent = `Timeline of ${id}`;
    $('timeline-events').replaceChildren(...events.map((e) => el('li', {},
      el('strong', {}, `${e.at} ${e.event}`), ' ', [traceRecipients(e), traceVia(e), traceDetail(e)].filter((t) => t).join(' — '))));
    $('timeline').hidden = false;
    $('timeline-title').focus();
  }

  // ---- actions ---------------------------------------------------------------------------------

  /** Asks in a modal dialog; resolves to true for OK. */
  function confirmed(title, text, label) {
    const dialog = $('confirm');
    $('confirm-title').textContent = title;
    $('confirm-text').textContent = text;
    $('confirm-ok').textContent = label;
    dialog.returnValue = '';
    return new Promise((resolve) => {
      dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
      dialog.showModal();
      $('confirm-cancel').focus();
    });
  }

  async function act(kind, target, name, action, button) {
    if (action.confirm && !(await confirmed(`${action.label} ${target}?`, action.confirm(target), action.label))) {
      say(`${action.label} ${target}: cancelled.`);
      return;
    }
    button.disabled = true;
    await guarded(async () => {
      const response = await api(`/api/${kind}/${encodeURIComponent(target)}/${name}`, 'POST');
      const body = await answer(response);
      if (response.ok) {
        say(`${action.label} ${target}: ${body.detail || 'done'}.`, 'done');
      } else if (response.status === 403) {
        say(`${action.label} ${target}: this token may only read.`, 'error');
      } else {
        say(`${action.label} ${target}: ${body.detail || body.error || `HTTP ${response.status}`}.`, 'error');
      }
    });
    button.disabled = false;
    await refresh();
  }

  // ---- wiring ----------------------------------------------------------------------------------

  function start() {
    $('login-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const token = $('token').value.trim();
      $('token').value = '';
      if (token) signIn(token);
    });
    $('sign-out').addEventListener('click', () => signOut('Signed out.'));
    $('refresh').addEventListener('click', () => refresh());
    $('filter-form').addEventListener('submit', (event) => {
      event.preventDefault();
      refresh();
    });
    $('trace-form').addEventListener('submit', (event) => {
      event.preventDefault();
      refresh();
    });
    $('timeline-close').addEventListener('click', () => { $('timeline').hidden = true; });
    $('detail-close').addEventListener('click', () => {
      session.detailId = null;
      $('detail').hidden = true;
    });
    const tabs = [...document.querySelectorAll('[role=tab]')];
    for (const tab of tabs) {
      tab.addEventListener('click', () => selectView(tab.dataset.view, false));
      tab.addEventListener('keydown', (event) => {
        const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
        if (step) {
          const next = tabs[(tabs.indexOf(tab) + step + tabs.length) % tabs.length];
          selectView(next.dataset.view, true);
          event.preventDefault();
        }
      });
    }
    if (sessionStorage.getItem(TOKEN_KEY)) {
      $('login').hidden = true;
      signIn(sessionStorage.getItem(TOKEN_KEY));
    } else {
      showLogin('');
    }
  }

  start();
})();
