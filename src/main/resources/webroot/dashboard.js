// tickstream dashboard: a client of the public protocol (docs/protocol.md) and nothing else.
// Messages update plain state; one requestAnimationFrame pass a frame writes the DOM.
(() => {
  'use strict';
  const STORE_KEY = 'tickstream.watchlist';
  const DEFAULT_WATCH = ['AAPL', 'MSFT', 'NVDA', 'AMZN', 'GOOGL', 'META', 'TSLA', 'JPM'];
  const HISTORY = 600;          // points per symbol kept for the chart
  const EVENTS = 14;            // latest match events shown
  const LOG_LIMIT = 500000;     // (topic, seq) of live messages, for checks from outside
  const RESUME_TRIES = 20;      // resume_ahead answers in a row before starting over from snapshots

  const $ = id => document.getElementById(id);
  const watch = loadWatch();
  const quotes = new Map();     // symbol -> {last, bid, ask, volume, open, flash}
  const history = new Map();    // symbol -> [[tsMicros, last], ...]
  const matches = new Map();    // topic -> latest score message
  const events = [];            // newest first
  let selected = watch[0] || null;
  let ws = null;
  let lastSeq = null;           // highest live seq seen: where a reconnect resumes from
  let attempt = 0;
  let resumeTries = 0;          // resume_ahead answers since the last subscribe that took
  let dirty = {watch: true, quotes: new Set(), matches: true, events: true, chart: true};
  let frameQueued = false;
  let received = 0;
  let latencies = [];
  const log = [];
  window.tickstream = {log, lastSeq: () => lastSeq, state: 'connecting', reconnects: 0, watch};

  function loadWatch() {
    try {
      const saved = JSON.parse(localStorage.getItem(STORE_KEY));
      if (Array.isArray(saved) && saved.every(s => typeof s === 'string')) return saved;
    } catch (e) { /* fall through */ }
    return DEFAULT_WATCH.slice();
  }
  function saveWatch() { localStorage.setItem(STORE_KEY, JSON.stringify(watch)); }

  // ---- connection ---------------------------------------------------------------------------
  function connect() {
    setState('connecting', 'connecting…');
    // With auth on, open the page as /?token=TOKEN: the token goes on to the WebSocket.
    const token = new URLSearchParams(location.search).get('token');
    ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws'
        + (token ? '?token=' + encodeURIComponent(token) : ''));
    ws.onopen = () => { attempt = 0; setState('open', 'live'); };
    ws.onmessage = e => {
      const data = JSON.parse(e.data);
      if (Array.isArray(data)) data.forEach(handle); else handle(data);
      queueFrame();
    };
    ws.onclose = () => {
      const delay = Math.min(5000, 250 * Math.pow(2, attempt++)) + Math.floor(Math.random() * 250);
      window.tickstream.reconnects++;
      setState('closed', 'disconnected · reconnecting in ' + (delay / 1000).toFixed(1) + ' s'
        + (lastSeq !== null ? ' (resuming after seq ' + lastSeq + ')' : ''));
      setTimeout(connect, delay);
    };
  }

  function send(msg) { if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg)); }

  function setState(state, text) {
    window.tickstream.state = state;
    $('conn-dot').className = 'dot ' + state;
    $('conn-text').textContent = text;
  }

  function topics() { return watch.map(s => 'stocks.' + s).concat(['sports.>']); }

  // ---- messages -----------------------------------------------------------------------------
  function handle(m) {
    switch (m.type) {
      case 'welcome': subscribe(); break;
      case 'subscribed': if (m.id === 'all') resumeTries = 0; break;
      case 'tick': onTick(m); break;
      case 'score': onScore(m); break;
      case 'error':
        if (m.code === 'resume_ahead') {
          // this server has not reached our last seq yet (an edge of a cluster a little behind the
          // one we came from; it waited a second already): ask again, on this connection only.
          // Still ahead after RESUME_TRIES (a queue that was reset): start over from its snapshots.
          const sock = ws;
          if (++resumeTries >= RESUME_TRIES) { lastSeq = null; resumeTries = 0; }
          setTimeout(() => { if (ws === sock) subscribe(); }, 100);
        } else if (m.id && m.id.startsWith('add-')) $('add-error').textContent = m.message;
        else if (m.code !== 'resume_unavailable') console.warn('tickstream:', m.code, m.message);
        break;
      default: break;   // unsubscribed, pong, heartbeat
    }
  }

  function subscribe() {
    const sub = {op: 'subscribe', id: 'all', topics: topics()};
    if (lastSeq !== null) sub.from = lastSeq;   // resume: replay what was missed, then live
    send(sub);
  }

  function live(m) {
    if (m.snapshot) return;
    if (lastSeq === null || m.seq > lastSeq) lastSeq = m.seq;
    received++;
    latencies.push(Date.now() * 1000 - m.ts);
    if (log.length < LOG_LIMIT) log.push([m.topic, m.seq]);
  }

  function onTick(m) {
    live(m);
    let q = quotes.get(m.symbol);
    if (!q) { q = {open: m.last}; quotes.set(m.symbol, q); }
    if (q.last !== undefined && !m.snapshot) q.flash = m.last > q.last ? 'up' : m.last < q.last ? 'down' : q.flash;
    Object.assign(q, {last: m.last, bid: m.bid, ask: m.ask, volume: m.volume});
    let h = history.get(m.symbol);
    if (!h) { h = []; history.set(m.symbol, h); }
    h.push([m.ts, m.last]);
    if (h.length > HISTORY) h.splice(0, h.length - HISTORY);
    dirty.quotes.add(m.symbol);
    if (m.symbol === selected) dirty.chart = true;
  }

  function onScore(m) {
    live(m);
    const before = matches.get(m.topic);
    if (before && m.seq < before.seq) return;
    matches.set(m.topic, m);
    dirty.matches = true;
    if (m.event && !m.snapshot) {
      events.unshift(m);
      if (events.length > EVENTS) events.length = EVENTS;
      dirty.events = true;
    }
  }

  // ---- rendering (once per animation frame) -------------------------------------------------
  function queueFrame() {
    if (!frameQueued) { frameQueued = true; requestAnimationFrame(render); }
  }

  function render() {
    frameQueued = false;
    if (dirty.watch) renderWatch();
    dirty.quotes.forEach(renderQuote);
    dirty.quotes.clear();
    if (dirty.matches) renderMatches();
    if (dirty.events) renderEvents();
    if (dirty.chart) renderChart();
    dirty.watch = dirty.matches = dirty.events = dirty.chart = false;
  }

  const fmt = (v, d = 2) => v === undefined ? '–' : v.toLocaleString('en-US', {minimumFractionDigits: d, maximumFractionDigits: d});

  function renderWatch() {
    const body = $('watch-body');
    body.textContent = '';
    for (const sym of watch) {
      const tr = document.createElement('tr');
      tr.className = 'row' + (sym === selected ? ' selected' : '');
      tr.dataset.symbol = sym;
      tr.innerHTML = '<td class="sym"></td><td class="last"></td><td class="chg"></td><td class="pct"></td>'
        + '<td class="bid"></td><td class="ask"></td><td class="vol"></td>'
        + '<td><button class="remove" title="Remove">×</button></td>';
      tr.querySelector('.sym').textContent = sym;
      tr.addEventListener('click', e => {
        if (e.target.classList.contains('remove')) { removeSymbol(sym); return; }
        selected = sym; dirty.watch = dirty.chart = true; queueFrame();
      });
      body.appendChild(tr);
      dirty.quotes.add(sym);
    }
  }

  function renderQuote(sym) {
    const tr = document.querySelector('tr.row[data-symbol="' + sym + '"]');
    const q = quotes.get(sym);
    if (!tr || !q) return;
    const chg = q.last - q.open;
    const cls = chg > 0 ? 'up' : chg < 0 ? 'down' : '';
    tr.querySelector('.last').textContent = fmt(q.last);
    const c = tr.querySelector('.chg'); c.textContent = (chg > 0 ? '+' : '') + fmt(chg); c.className = 'chg ' + cls;
    const p = tr.querySelector('.pct'); p.textContent = (chg > 0 ? '+' : '') + fmt(q.open ? chg / q.open * 100 : 0) + '%'; p.className = 'pct ' + cls;
    tr.querySelector('.bid').textContent = fmt(q.bid);
    tr.querySelector('.ask').textContent = fmt(q.ask);
    tr.querySelector('.vol').textContent = fmt(q.volume, 0);
    if (q.flash) {
      tr.classList.remove('flash-up', 'flash-down');
      void tr.offsetWidth;  // restart the flash
      tr.classList.add('flash-' + q.flash);
      const which = 'flash-' + q.flash;
      setTimeout(() => tr.classList.remove(which), 250);
      q.flash = null;
    }
  }

  const ORDER = {live: 0, halftime: 1, scheduled: 2, final: 3};
  function renderMatches() {
    const list = [...matches.values()].sort((a, b) => (ORDER[a.status] - ORDER[b.status]) || a.match.localeCompare(b.match));
    const box = $('matches');
    box.textContent = '';
    let inPlay = 0;
    for (const m of list) {
      if (m.status === 'live' || m.status === 'halftime') inPlay++;
      const div = document.createElement('div');
      const recentGoal = m.event && m.event.kind === 'goal' && Date.now() * 1000 - m.ts < 10e6;
      div.className = 'match' + (recentGoal ? ' goal' : '');
      div.dataset.match = m.match;
      div.innerHTML = '<div class="teams"><span class="h"></span><span class="score hs"></span>'
        + '<span class="a"></span><span class="score as"></span></div>'
        + '<div class="meta"><span class="clock"></span><span class="badge"></span></div>';
      div.querySelector('.h').textContent = m.home;
      div.querySelector('.a').textContent = m.away;
      div.querySelector('.hs').textContent = m.homeScore;
      div.querySelector('.as').textContent = m.awayScore;
      div.querySelector('.clock').textContent = m.status === 'scheduled' ? 'kick-off soon' : m.clock;
      const badge = div.querySelector('.badge');
      badge.textContent = m.status; badge.classList.add(m.status);
      box.appendChild(div);
    }
    $('live-count').textContent = inPlay + ' in play';
  }

  function renderEvents() { renderEventList($('events'), events); }

  // Fills the list ol with one line per score message of list (each with an event), newest first.
  function renderEventList(ol, list) {
    ol.textContent = '';
    for (const m of list) {
      const e = m.event;
      const li = document.createElement('li');
      const team = e.team === 'home' ? m.home : e.team === 'away' ? m.away : '';
      let text;
      if (e.kind === 'goal') { li.className = 'goal'; text = 'GOAL ' + team + ' — ' + (e.player || '') + '  ' + m.home + ' ' + m.homeScore + '–' + m.awayScore + ' ' + m.away; }
      else if (e.kind === 'card') { li.className = 'card-' + e.card; text = (e.card === 'red' ? 'Red card: ' : 'Yellow card: ') + (e.player || '') + ' (' + team + ')'; }
      else { text = ({'1H': 'Kick-off', 'HT': 'Half time', '2H': 'Second half', 'FT': 'Full time'}[e.period] || e.period) + ': ' + m.home + ' ' + m.homeScore + '–' + m.awayScore + ' ' + m.away; }
      li.innerHTML = '<span class="min"></span><span class="icon"></span><span class="what"></span>';
      li.querySelector('.min').textContent = e.minute + "'";
      li.querySelector('.what').textContent = text;
      ol.appendChild(li);
    }
  }

  function renderChart() {
    $('chart-title').textContent = selected ? selected : 'Chart';
    const pts = (selected && history.get(selected)) || [];
    const q = selected && quotes.get(selected);
    $('chart-sub').textContent = q ? 'last ' + fmt(q.last) + ' · ' + pts.length + ' ticks' : 'waiting for ticks…';
    drawChart($('chart'), pts);
  }

  // Draws the line of prices pts ([[tsMicros, price], ...]) on canvas, at the size it is laid out.
  function drawChart(canvas, pts) {
    const dpr = window.devicePixelRatio || 1;
    const w = canvas.clientWidth, h = canvas.clientHeight;
    if (canvas.width !== w * dpr || canvas.height !== h * dpr) { canvas.width = w * dpr; canvas.height = h * dpr; }
    const ctx = canvas.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    if (pts.length < 2) return;
    const padL = 8, padR = 64, padT = 10, padB = 22;
    let lo = Infinity, hi = -Infinity;
    for (const [, v] of pts) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    if (hi - lo < 0.02) { hi += 0.01; lo -= 0.01; }
    const t0 = pts[0][0], t1 = pts[pts.length - 1][0];
    const x = t => padL + (w - padL - padR) * (t1 === t0 ? 1 : (t - t0) / (t1 - t0));
    const y = v => padT + (h - padT - padB) * (1 - (v - lo) / (hi - lo));
    ctx.font = '11px sans-serif'; ctx.fillStyle = '#8b949e'; ctx.strokeStyle = '#21262d'; ctx.lineWidth = 1;
    for (let i = 0; i <= 4; i++) {
      const v = lo + (hi - lo) * i / 4, yy = Math.round(y(v)) + .5;
      ctx.beginPath(); ctx.moveTo(padL, yy); ctx.lineTo(w - padR, yy); ctx.stroke();
      ctx.fillText(fmt(v), w - padR + 6, yy + 4);
    }
    for (let i = 0; i <= 3; i++) {
      const t = t0 + (t1 - t0) * i / 3;
      const label = new Date(t / 1000).toLocaleTimeString('en-GB');
      ctx.fillText(label, Math.min(x(t), w - padR - 50), h - 6);
    }
    const up = pts[pts.length - 1][1] >= pts[0][1];
    const color = up ? '#3fb950' : '#f85149';
    const grad = ctx.createLinearGradient(0, padT, 0, h - padB);
    grad.addColorStop(0, up ? 'rgba(63,185,80,.35)' : 'rgba(248,81,73,.35)');
    grad.addColorStop(1, 'rgba(0,0,0,0)');
    ctx.beginPath();
    pts.forEach(([t, v], i) => i ? ctx.lineTo(x(t), y(v)) : ctx.moveTo(x(t), y(v)));
    ctx.lineTo(x(t1), h - padB); ctx.lineTo(x(t0), h - padB); ctx.closePath();
    ctx.fillStyle = grad; ctx.fill();
    ctx.beginPath();
    pts.forEach(([t, v], i) => i ? ctx.lineTo(x(t), y(v)) : ctx.moveTo(x(t), y(v)));
    ctx.strokeStyle = color; ctx.lineWidth = 1.6; ctx.stroke();
    const last = pts[pts.length - 1][1];
    ctx.fillStyle = color; ctx.fillRect(w - padR + 2, y(last) - 9, padR - 4, 18);
    ctx.fillStyle = '#0d1117'; ctx.fillText(fmt(last), w - padR + 6, y(last) + 4);
  }

  // ---- watchlist edits ----------------------------------------------------------------------
  $('add-form').addEventListener('submit', e => {
    e.preventDefault();
    const sym = $('add-symbol').value.trim().toUpperCase();
    $('add-error').textContent = '';
    if (!/^[A-Z0-9_-]{1,12}$/.test(sym)) { $('add-error').textContent = 'A symbol is letters, digits, - or _'; return; }
    $('add-symbol').value = '';
    if (watch.includes(sym)) return;
    watch.push(sym); saveWatch();
    send({op: 'subscribe', id: 'add-' + sym, topics: ['stocks.' + sym]});
    if (!selected) selected = sym;
    dirty.watch = dirty.chart = true; queueFrame();
  });

  function removeSymbol(sym) {
    const i = watch.indexOf(sym);
    if (i < 0) return;
    watch.splice(i, 1); saveWatch();
    send({op: 'unsubscribe', id: 'rm-' + sym, topics: ['stocks.' + sym]});
    quotes.delete(sym); history.delete(sym);
    if (selected === sym) selected = watch[0] || null;
    dirty.watch = dirty.chart = true; queueFrame();
  }

  // ---- status bar, once a second ------------------------------------------------------------
  setInterval(() => {
    $('rate').textContent = received.toLocaleString('en-US');
    received = 0;
    if (latencies.length) {
      latencies.sort((a, b) => a - b);
      const p50 = latencies[Math.floor(latencies.length / 2)];
      $('latency').textContent = p50 < 1000 ? Math.round(p50) + ' µs' : (p50 / 1000).toFixed(1) + ' ms';
      latencies = [];
    }
    $('last-seq').textContent = lastSeq === null ? '–' : lastSeq;
  }, 1000);
  window.addEventListener('resize', () => { dirty.chart = true; queueFrame(); });

  connect();
})();
