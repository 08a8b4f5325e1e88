// tickstream dashboard: a client of the public protocol (docs/protocol.md) and nothing else, through
// the server's own client library (tickstream.js: connection, reconnect, resume, replays).
// Messages update plain state; one requestAnimationFrame pass a frame writes the DOM.
import {connect, nowMicros, stages} from './tickstream.js';

{
  const STORE_KEY = 'tickstream.watchlist';
  const DEFAULT_WATCH = ['AAPL', 'MSFT', 'NVDA', 'AMZN', 'GOOGL', 'META', 'TSLA', 'JPM'];
  const HISTORY = 600;          // points per symbol kept for the chart
  const EVENTS = 14;            // latest match events shown
  const LOG_LIMIT = 500000;     // (topic, seq) of live messages, for checks from outside
  const REPLAY_MINUTES = 15;    // most "N min ago" choices the replay control offers
  const REPLAY_POINTS = 20000;  // replayed prices kept for the replay panel's chart
  const MINUTE = 60e6;          // in µs, the unit of ts
  const KNOWN = 2000;           // events remembered by id, to name what a correction retracts
  const NOTE_MS = 30000;        // how long a match card says why its score was corrected
  const FLASH_MS = 2500;        // and flashes its corrected score
  const STAGE_SAMPLES = 50;     // traced messages of the selected symbol whose median the status bar shows
  const STAGE_WINDOW = 10e6;    // µs: none older than this

  const $ = id => document.getElementById(id);
  const watch = loadWatch();
  const quotes = new Map();     // symbol -> {last, bid, ask, volume, open, flash}
  const history = new Map();    // symbol -> [[tsMicros, last], ...]
  const matches = new Map();    // topic -> latest score message
  const events = [];            // newest first
  const board = corrections();  // what the live board knows of event ids, see corrections()
  const notes = new Map();      // topic -> {text, m: the correction, at: performance.now()}, see noteCorrection
  let selected = watch[0] || null;
  let client = null;            // the connection (tickstream.js): it keeps the resume point, lastSeq
  let firstTs = null;           // ts of the first and of the latest live message seen: the page's past
  let latestTs = null;
  let replayTarget = null;      // topic picked for a replay; null: the selected symbol
  let replays = 0;              // replays started, for their ids
  let replay = null;            // the replay shown in the replay panel (see startReplay)
  let dirty = {watch: true, quotes: new Set(), matches: true, events: true, chart: true, targets: true, replay: false,
    stages: true};
  let frameQueued = false;
  let received = 0;
  let latencies = [];
  const holders = new Map();    // symbol -> the subscription holding its topic
  let traced = null;            // {symbol, sub}: the subscription, with trace, of the selected symbol alone
  let traceRefused = false;     // the server refused one: no more
  let retraceDue = false;       // a move waits for a subscription's answer (see retrace)
  let moves = 0;                // subscriptions made to move a symbol in or out of trace, for their ids
  let stageSamples = [];        // {at, feed, server, network, total} of the traced symbol's live messages, µs
  let stagesAt = 0;             // performance.now() of the last renderStages
  const lastSeqOf = new Map();  // topic -> seq of its latest live message here
  const log = [];
  window.tickstream = {log, lastSeq: () => client.lastSeq, state: 'connecting', reconnects: 0, watch, client: null,
    traced: () => traced && {symbol: traced.symbol, topics: traced.sub.topics.slice(), state: traced.sub.state},
    replay: () => replay && {id: replay.id, topic: replay.topic, state: replay.state, fromSeq: replay.fromSeq,
      toSeq: replay.toSeq, count: replay.count, received: replay.received}};

  function loadWatch() {
    try {
      const saved = JSON.parse(localStorage.getItem(STORE_KEY));
      if (Array.isArray(saved) && saved.every(s => typeof s === 'string')) return saved;
    } catch (e) { /* fall through */ }
    return DEFAULT_WATCH.slice();
  }
  function saveWatch() { localStorage.setItem(STORE_KEY, JSON.stringify(watch)); }

  // ---- connection ---------------------------------------------------------------------------
  // The library reconnects with backoff and jitter, and resubscribes with `from` (the resume point),
  // so that nothing is missed or repeated; the page only shows what happens.
  function start() {
    // With auth on, open the page as /?token=TOKEN: the token goes on to the WebSocket.
    const token = new URLSearchParams(location.search).get('token');
    client = connect((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws',
      {token, initialDelayMs: 500, maxDelayMs: 5000});
    window.tickstream.client = client;
    client.on('state', s => { if (s === 'connecting') setState('connecting', 'connecting…'); });
    client.on('open', () => setState('open', 'live'));
    client.on('welcome', () => {
      $('replay').hidden = !client.has('replay');
      $('stages').hidden = !client.has('trace');
      retrace();
      dirty.stages = true; queueFrame();
    });
    // a subscription's answer tells where it starts (its snapshotSeq, set once this message is handled)
    client.on('message', m => { if (m.type === 'subscribed' && retraceDue) queueMicrotask(retrace); });
    client.on('data', handle);
    client.on('data', queueFrame);
    client.on('error', (m, {owner}) => {
      // answers to a request are handled where it was made; resume_unavailable: snapshots follow
      if (!owner && m.code !== 'resume_unavailable') console.warn('tickstream:', m.code, m.message);
    });
    client.on('close', c => {
      window.tickstream.reconnects++;
      stageSamples = []; dirty.stages = true; queueFrame();
      if (c.reconnectInMs === null) { setState('closed', 'disconnected'); return; }
      const from = client.resumePoint;
      setState('closed', 'disconnected · reconnecting in ' + (c.reconnectInMs / 1000).toFixed(1) + ' s'
        + (from !== null ? ' (resuming after seq ' + from + ')' : ''));
    });
    const all = client.subscribe(topics(), {id: 'all'});
    for (const sym of watch) holders.set(sym, all);
  }

  function setState(state, text) {
    window.tickstream.state = state;
    $('conn-dot').className = 'dot ' + state;
    $('conn-text').textContent = text;
  }

  function topics() { return watch.map(s => 'stocks.' + s).concat(['sports.>']); }

  // ---- the selected symbol, traced (protocol 1.1 'trace') -----------------------------------------
  // Its topic is moved to a subscription of its own made with trace: true (a topic subscribed twice is
  // one subscription to the server, with the options of the first), so that only its messages carry
  // a trace: every other symbol's keep the server's shared frames. When the selection changes, the old
  // symbol moves back to a subscription without trace.

  /** The symbol that should be traced: the selected one, when the server traces. */
  function wantTraced() {
    return client.has('trace') && !traceRefused && selected !== null && watch.includes(selected) ? selected : null;
  }

  /**
   * Where a symbol's topic, held by the subscription holders has, can be subscribed again from with
   * nothing missed: the highest of the seq of its latest live message here, the resume point (every
   * message up to it has been received) and the seq its subscription started after; null while that
   * subscription is not answered yet.
   */
  function fromFor(sym) {
    const sub = holders.get(sym);
    return sub && sub.snapshotSeq !== null ? highest([sub.snapshotSeq, client.resumePoint, lastSeqOf.get('stocks.' + sym)]) : null;
  }

  /** The highest of the numbers among values, or null. */
  function highest(values) {
    const known = values.filter(v => typeof v === 'number');
    return known.length ? Math.max(...known) : null;
  }

  /**
   * Moves a symbol to a subscription of its own, traced or not, with no gap and no repeat: its topic
   * is unsubscribed and subscribed again with `from` (see fromFor). The server replays what it wrote
   * of the topic after that seq, from its queue, then goes on live; the library drops what was
   * received already (it keeps each topic's highest seq).
   */
  function move(sym, trace, from) {
    const topic = 'stocks.' + sym;
    client.unsubscribe([topic]).catch(() => {});   // lost with the connection: resubscribed as it stands
    const options = {id: (trace ? 'trace-' : 'watch-') + sym + '-' + (++moves), from};
    if (trace) options.trace = true;
    const sub = client.subscribe([topic], options);
    holders.set(sym, sub);
    if (trace) {
      traced = {symbol: sym, sub};
      sub.on('error', m => untraceable(sub, m));
    } else {
      sub.on('error', addError);
    }
  }

  // The server refused the traced subscription: the symbol goes on without trace (or, refused itself, without).
  function untraceable(sub, m) {
    if (!traced || traced.sub !== sub) return;
    const sym = traced.symbol;
    traced = null;
    holders.delete(sym);
    if (m.code === 'forbidden' || m.code === 'invalid_topic') { addError(m); return; }
    traceRefused = true;   // say, a server that takes no trace
    console.info('tickstream: no trace for', sym, '(' + m.code + ': ' + m.message + ')');
    if (watch.includes(sym)) {   // from where it stands here (null: nothing of it yet, snapshots)
      const topic = 'stocks.' + sym, from = highest([client.resumePoint, lastSeqOf.get(topic)]);
      const again = client.subscribe([topic], Object.assign({id: 'watch-' + sym + '-' + (++moves)}, from === null ? {} : {from}));
      holders.set(sym, again);
      again.on('error', addError);
    }
    dirty.stages = true; queueFrame();
  }

  /**
   * Puts trace on the selected symbol and off the one that had it. Waits (retraceDue) while one of
   * them is on a subscription not answered yet: where it starts is not known.
   */
  function retrace() {
    retraceDue = false;
    const want = wantTraced();
    const had = traced ? traced.symbol : null;
    if (want === had) return;
    const fromHad = had !== null && watch.includes(had) ? fromFor(had) : undefined;
    const fromWant = want !== null ? fromFor(want) : undefined;
    if (fromHad === null || fromWant === null) { retraceDue = true; return; }
    traced = null;
    if (fromHad !== undefined) move(had, false, fromHad);
    if (fromWant !== undefined) move(want, true, fromWant);
    stageSamples = []; dirty.stages = true; queueFrame();
  }

  // A traced message of the selected symbol: where its time went. Only once its subscription is in
  // (`active`): the messages of a resume are read again from the queue, and the live ones it holds back wait.
  function sampleStages(m, meta) {
    if (!traced || !m.trace || m.snapshot || m.symbol !== traced.symbol || traced.sub.state !== 'active') return;
    const s = stages(m, meta.receivedAt);
    if (s.feed === null || s.network === null) return;
    stageSamples.push({at: meta.receivedAt, feed: s.feed, server: s.server, network: s.network, total: s.total});
    if (stageSamples.length > STAGE_SAMPLES) stageSamples.splice(0, stageSamples.length - STAGE_SAMPLES);
    if (performance.now() - stagesAt > 250) { dirty.stages = true; queueFrame(); }
  }

  // ---- messages -----------------------------------------------------------------------------
  // Ticks and scores of the subscriptions (snapshots marked), never a replay's: those go to its panel.
  function handle(m, meta) {
    if (m.type === 'tick') onTick(m, meta);
    else if (m.type === 'score') onScore(m, meta);
  }

  function live(m, meta) {
    if (m.snapshot) return;
    if (firstTs === null) firstTs = m.ts;
    if (latestTs === null || m.ts > latestTs) latestTs = m.ts;
    received++;
    latencies.push(meta.receivedAt - m.ts);
    lastSeqOf.set(m.topic, m.seq);
    if (log.length < LOG_LIMIT) log.push([m.topic, m.seq]);
  }

  function onTick(m, meta) {
    live(m, meta);
    sampleStages(m, meta);
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

  function onScore(m, meta) {
    live(m, meta);
    const before = matches.get(m.topic);
    if (before && m.seq < before.seq) return;
    if (!before) dirty.targets = true;
    matches.set(m.topic, m);
    dirty.matches = true;
    if (m.event) {
      const text = correctionSeen(board, m, before);
      if (text !== null && !m.snapshot) noteCorrection(m, text);
      else if (m.event.kind === 'goal' && !m.snapshot) notes.delete(m.topic);   // the score moved on: the note is stale
    }
    if (m.event && !m.snapshot) {
      events.unshift(m);
      if (events.length > EVENTS) events.length = EVENTS;
      dirty.events = true;
    }
  }

  // ---- corrections of score events (protocol 1.1 'corrections') ------------------------------
  // A correction is a score whose event retracts an earlier one by id, with the score after it.
  // One board's memory (the live one's, or a replay's): events by id (the latest KNOWN), the
  // corrections by the id they retract, and each correction's text as said when it came.
  function corrections() { return {known: new Map(), retracted: new Map(), said: new Map()}; }
  function bound(map) { while (map.size > KNOWN) map.delete(map.keys().next().value); }

  // Files m (a score with an event) in b, before: the match's previous score message or undefined.
  // Returns the text of a correction ("Goal disallowed — VAR: offside"), null for any other event.
  function correctionSeen(b, m, before) {
    b.known.set(m.event.id, m); bound(b.known);
    if (m.event.kind !== 'correction') return null;
    b.retracted.set(m.event.retracts, m); bound(b.retracted);
    // what it takes back: the retracted event if known, else the score (a disallowed goal takes it down)
    const wrong = b.known.get(m.event.retracts);
    const kind = wrong ? wrong.event.kind : !before ? null
      : m.homeScore + m.awayScore < before.homeScore + before.awayScore ? 'goal' : 'card';
    const text = (kind === 'goal' ? 'Goal disallowed' : kind === 'card' ? 'Card rescinded' : 'Correction') + ' — ' + m.event.reason;
    b.said.set(m.event.id, text); bound(b.said);
    return text;
  }

  // What correction c retracts, in words, for when that event is not listed beside it.
  function retractedText(c, index) {
    const wrong = index.get(c.event.retracts);
    if (!wrong) {
      const team = c.event.team === 'home' ? c.home : c.event.team === 'away' ? c.away : '';
      return 'retracts ' + (team ? team + '’s event ' : 'event ') + c.event.retracts;
    }
    const e = wrong.event, team = e.team === 'home' ? wrong.home : e.team === 'away' ? wrong.away : '';
    return 'retracts ' + (e.kind === 'goal' ? 'goal' : e.detail === 'red' ? 'red card' : 'yellow card')
      + (e.player ? ' of ' + e.player : '') + (team ? ' (' + team + ')' : '') + ' in ' + e.minute + "'";
  }

  // The match card of c's topic flashes its corrected score and says why for a while.
  function noteCorrection(c, text) {
    notes.set(c.topic, {text, m: c, at: performance.now()});
    for (const ms of [FLASH_MS, NOTE_MS]) setTimeout(() => { dirty.matches = true; queueFrame(); }, ms + 20);
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
    if (dirty.targets) renderReplayTargets();
    if (dirty.replay) renderReplay();
    if (dirty.stages) renderStages();
    dirty.watch = dirty.matches = dirty.events = dirty.chart = dirty.targets = dirty.replay = dirty.stages = false;
  }

  const fmt = (v, d = 2) => v === undefined ? '–' : v.toLocaleString('en-US', {minimumFractionDigits: d, maximumFractionDigits: d});

  function renderWatch() {
    dirty.targets = true;
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
        if (sym !== selected) { selected = sym; retrace(); }
        replayTarget = null; dirty.watch = dirty.chart = dirty.targets = dirty.matches = dirty.stages = true; queueFrame();
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
      const note = notes.get(m.topic);
      const age = note ? performance.now() - note.at : Infinity;
      if (note && age >= NOTE_MS) notes.delete(m.topic);
      div.className = 'match' + (recentGoal ? ' goal' : '') + (m.topic === replayTarget ? ' picked' : '')
        + (age < NOTE_MS ? ' corrected' : '') + (age < FLASH_MS ? ' correction-flash' : '');
      div.dataset.match = m.match;
      div.dataset.topic = m.topic;
      div.innerHTML = '<div class="teams"><span class="h"></span><span class="score hs"></span>'
        + '<span class="a"></span><span class="score as"></span></div>'
        + '<div class="meta"><span class="clock"></span><span class="badge"></span></div>';
      if (age < NOTE_MS) {
        div.dataset.correction = note.m.event.id;
        div.title = note.text;
        const line = document.createElement('div');
        line.className = 'correction-note';
        line.textContent = note.text;
        div.appendChild(line);
        // the cards are redrawn often: the flash goes on from where it is instead of starting again
        div.style.setProperty('--flash-at', -Math.round(age) + 'ms');
      }
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

  function renderEvents() { renderEventList($('events'), events, board); }

  // Fills the list ol with one line per score message of list (each with an event), newest first:
  // an event that a correction retracts struck through, a correction with its reason and, when the
  // event it retracts is not listed, what that was (b: the board's corrections(), see correctionSeen).
  function renderEventList(ol, list, b) {
    ol.textContent = '';
    const listed = new Set(list.map(m => m.event.id));
    for (const m of list) {
      const e = m.event;
      const li = document.createElement('li');
      const team = e.team === 'home' ? m.home : e.team === 'away' ? m.away : '';
      let text;
      if (e.id !== undefined) li.dataset.id = e.id;
      if (e.kind === 'correction') {
        li.className = 'correction';
        li.dataset.retracts = e.retracts;
        text = (b.said.get(e.id) || 'Correction — ' + e.reason) + '  ' + m.home + ' ' + m.homeScore + '–' + m.awayScore + ' ' + m.away;
        li.title = retractedText(m, b.known) + ' (event ' + e.retracts + ')';
        li.innerHTML = '<span class="min"></span><span class="icon"></span><span class="what"></span>';
        li.querySelector('.min').textContent = e.minute + "'";
        li.querySelector('.what').textContent = text;
        if (!listed.has(e.retracts)) {
          const ref = document.createElement('span');
          ref.className = 'ref';
          ref.textContent = ' · ' + retractedText(m, b.known);
          li.querySelector('.what').appendChild(ref);
        }
        ol.appendChild(li);
        continue;
      }
      if (e.kind === 'goal') { li.className = 'goal'; text = 'GOAL ' + team + ' — ' + (e.player || '') + '  ' + m.home + ' ' + m.homeScore + '–' + m.awayScore + ' ' + m.away; }
      else if (e.kind === 'card') { li.className = 'card-' + e.card; text = (e.card === 'red' ? 'Red card: ' : 'Yellow card: ') + (e.player || '') + ' (' + team + ')'; }
      else { text = ({'1H': 'Kick-off', 'HT': 'Half time', '2H': 'Second half', 'FT': 'Full time'}[e.period] || e.period) + ': ' + m.home + ' ' + m.homeScore + '–' + m.awayScore + ' ' + m.away; }
      li.innerHTML = '<span class="min"></span><span class="icon"></span><span class="what"></span>';
      li.querySelector('.min').textContent = e.minute + "'";
      li.querySelector('.what').textContent = text;
      const by = b.retracted.get(e.id);
      if (by) { li.classList.add('retracted'); li.title = b.said.get(by.event.id) || by.event.reason; }
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
    const sub = client.subscribe(['stocks.' + sym], {id: 'add-' + sym});
    sub.on('error', addError);
    holders.set(sym, sub);
    if (!selected) { selected = sym; retrace(); }
    dirty.watch = dirty.chart = dirty.stages = true; queueFrame();
  });

  function addError(m) { $('add-error').textContent = m.message; }

  function removeSymbol(sym) {
    const i = watch.indexOf(sym);
    if (i < 0) return;
    watch.splice(i, 1); saveWatch();
    client.unsubscribe(['stocks.' + sym]).catch(() => {});   // lost with the connection: resubscribed without it
    quotes.delete(sym); history.delete(sym); lastSeqOf.delete('stocks.' + sym); holders.delete(sym);
    if (traced && traced.symbol === sym) traced = null;   // its subscription ended with its only topic
    if (selected === sym) { selected = watch[0] || null; retrace(); }
    dirty.watch = dirty.chart = dirty.stages = true; queueFrame();
  }

  // ---- replay of a past minute (protocol 1.1 'replay'), shown beside the live board ----------------
  // A replay's messages carry "replay": id and go only to the replay panel: the live board, the
  // chart, the log and the resume point (lastSeq) never see them.
  const clock = us => new Date(us / 1000).toLocaleTimeString('en-GB');
  const replayActive = () => replay !== null && ['starting', 'running', 'stopping'].includes(replay.state);

  function matchLabel(m) { return m.home + ' v ' + m.away; }

  // The What choice: the watchlist's symbols and the matches seen, the picked one (or the selected symbol)
  // chosen. Redrawn only when that list changes, reusing its options: a list open in front of the user
  // stays as it is while new matches come in.
  function renderReplayTargets() {
    const sel = $('replay-target');
    const groups = [['Stocks', watch.map(s => ['stocks.' + s, s])],
      ['Matches', [...matches.values()].map(m => [m.topic, matchLabel(m)]).sort((a, b) => a[1].localeCompare(b[1]))]];
    const key = JSON.stringify(groups);
    if (sel.dataset.key !== key) {
      const options = new Map([...sel.options].map(o => [o.value, o]));
      const made = [];
      for (const [label, items] of groups) {
        if (!items.length) continue;
        const g = [...sel.children].find(c => c.label === label) || document.createElement('optgroup');
        g.label = label;
        g.replaceChildren(...items.map(([value, text]) => {
          const o = options.get(value) || document.createElement('option');
          o.value = value;
          if (o.textContent !== text) o.textContent = text;
          return o;
        }));
        made.push(g);
      }
      sel.replaceChildren(...made);
      sel.dataset.key = key;
    }
    const want = replayTarget || (selected ? 'stocks.' + selected : '');
    if (sel.value !== want && [...sel.options].some(o => o.value === want)) sel.value = want;
  }

  // The When choice: the minutes the page has seen ("last minute", "2 min ago", ...), or a time typed in.
  function renderReplayWindows() {
    const sel = $('replay-window');
    const seen = firstTs === null ? 0 : (latestTs - firstTs) / MINUTE;
    const n = Math.max(1, Math.min(REPLAY_MINUTES, Math.ceil(seen)));
    if (sel.options.length === n + 1) return;
    const was = sel.value;
    sel.textContent = '';
    for (let k = 1; k <= n; k++) sel.add(new Option(k === 1 ? 'last minute' : k + ' min ago', String(k)));
    sel.add(new Option('from a time…', 'time'));
    sel.value = [...sel.options].some(o => o.value === was) ? was : '1';
  }

  // Local time of day typed as H:MM or H:MM:SS, as µs since the epoch: its latest past occurrence.
  function parseClock(text) {
    const t = /^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$/.exec(text);
    if (!t || +t[1] > 23 || +t[2] > 59 || +(t[3] || 0) > 59) return null;
    const d = new Date();
    d.setHours(+t[1], +t[2], +(t[3] || 0), 0);
    if (d.getTime() > Date.now()) d.setDate(d.getDate() - 1);
    return d.getTime() * 1000;
  }

  function startReplay() {
    const err = $('replay-error');
    err.textContent = '';
    const topic = $('replay-target').value;
    if (!topic) { err.textContent = 'Pick a symbol or a match to replay.'; return; }
    if (client.state !== 'open') { err.textContent = 'Not connected: start the replay once the page is live again.'; return; }
    // The minute is counted back from the feed's time (the latest ts seen), not this computer's clock,
    // which may run ahead of the server's: a window that ends in the future is refused.
    const ref = latestTs !== null ? latestTs : Date.now() * 1000;
    let from, to;
    if ($('replay-window').value === 'time') {
      from = parseClock($('replay-time').value);
      if (from === null) { err.textContent = 'Type the start as HH:MM or HH:MM:SS, local time (e.g. 10:31:07).'; return; }
      to = from + MINUTE < ref ? from + MINUTE : null;   // null: up to now
    } else {
      const k = Number($('replay-window').value);
      from = ref - k * MINUTE;
      to = k === 1 ? null : ref - (k - 1) * MINUTE;
    }
    const m = matches.get(topic);
    replay = {
      id: 'replay-' + (++replays), topic, label: m ? matchLabel(m) : topic.replace(/^stocks\./, ''),
      kind: topic.startsWith('stocks.') ? 'stock' : 'match', speed: Number($('replay-speed').value), from, to,
      state: 'starting', fromSeq: null, toSeq: null, count: null, received: 0, lastTs: null,
      first: null, last: null, pts: [], events: [], board: corrections(), note: null,
    };
    const r = replay;
    r.handle = client.replay([topic], {id: r.id, fromTime: from, toTime: to, speed: r.speed});
    r.handle.on('replaying', m => onReplaying(r, m));
    r.handle.on('message', m => onReplayMessage(r, m));
    r.handle.on('end', m => onReplayed(r, m));
    r.handle.on('error', m => onReplayError(r, m));
    dirty.replay = true; queueFrame();
  }

  function stopReplay() {
    replay.handle.cancel();   // answered by 'replayed' with the count sent so far
    replay.state = 'stopping';
    dirty.replay = true; queueFrame();
  }

  function onReplaying(r, m) {
    if (r !== replay || !replayActive()) return;
    Object.assign(r, {fromSeq: m.fromSeq, toSeq: m.toSeq, count: m.count});
    if (r.state === 'starting') r.state = 'running';
    dirty.replay = true; queueFrame();
  }

  function onReplayMessage(r, m) {
    if (r !== replay || !replayActive()) return;   // an earlier replay's, or after the end
    r.received++;
    r.lastTs = m.ts;
    if (m.type === 'tick') {
      if (!r.first) r.first = m;
      r.last = m;
      r.pts.push([m.ts, m.last]);
      if (r.pts.length > REPLAY_POINTS) r.pts = r.pts.filter((p, i) => i % 2 === 0 || i === r.pts.length - 1);
    } else if (m.type === 'score') {
      const before = r.last;
      r.last = m;
      if (m.event) {
        const text = correctionSeen(r.board, m, before);
        if (text !== null) {   // as on the live board: the score flashes and says why for a while
          r.note = {text, m, at: performance.now()};
          for (const ms of [FLASH_MS, NOTE_MS]) setTimeout(() => { dirty.replay = true; queueFrame(); }, ms + 20);
        } else if (m.event.kind === 'goal') r.note = null;
        r.events.unshift(m); if (r.events.length > EVENTS) r.events.length = EVENTS;
      }
    }
    dirty.replay = true; queueFrame();
  }

  // The end: complete, or cancelled (the server says which, and how many it sent).
  function onReplayed(r, m) {
    if (r !== replay || !replayActive()) return;
    r.state = m.cancelled ? 'stopped' : 'done';
    dirty.replay = true; queueFrame();
  }

  function onReplayError(r, m) {
    if (r !== replay || !replayActive()) return;
    if (m.code === 'disconnected') {   // a replay is not resumed: the user starts it again
      r.state = 'interrupted';
      $('replay-error').textContent = 'The connection was lost: the replay stopped at ' + r.received
        + (r.count !== null ? ' of ' + r.count : '') + ' messages. Start it again once the page is live.';
    } else {
      r.state = 'failed';
      $('replay-error').textContent = replayErrorText(m);
    }
    dirty.replay = true; queueFrame();
  }

  // What went wrong, in words: the server's messages are for developers.
  function replayErrorText(m) {
    const msg = m.message || '';
    if (m.code === 'replay_unavailable') {
      if (typeof m.firstTime === 'number') {   // the window starts before the queue: firstTime is its start, µs
        const start = Math.floor(m.firstTime / 1000);
        const day = new Date(start).toDateString() === new Date().toDateString() ? '' : ' on ' + new Date(start).toLocaleDateString('en-GB');
        return 'Not available: the server\u2019s history starts at ' + clock(start * 1000) + day
          + ', after the start of that window. Pick a later minute.';
      }
      if (/future/.test(msg)) return 'Not available: that window has not finished yet. Pick an earlier minute.';
      if (/empty/.test(msg)) return 'Not available: the server holds no history yet.';
      if (/no longer in the queue/.test(msg)) return 'Not available: the server no longer holds all of that window. Pick a later minute.';
      return 'Not available: the server could not read its history for that window (' + msg + ').';
    }
    if (m.code === 'too_many_replays') return 'Another replay is still running for this page: stop it, or wait until it ends, and start again.';
    if (m.code === 'rate_limited') return 'Too many requests just now: try again in a moment.';
    return 'The server refused this replay: ' + msg;
  }

  function renderReplay() {
    const r = replay;
    $('replay-start').textContent = replayActive() ? 'Stop' : 'Start';
    if (!r) return;
    $('replay-view').hidden = false;
    $('replay-view').className = 'replay-view ' + r.state;
    $('replay-banner').textContent = 'REPLAY ' + (r.speed === 0 ? 'max' : r.speed + '×') + ' — ' + clock(r.lastTs !== null ? r.lastTs : r.from);
    $('replay-what').textContent = r.label + ' · ' + clock(r.from) + ' → ' + (r.to !== null ? clock(r.to) : 'now');
    const bar = $('replay-progress');
    if (r.count === null) { bar.removeAttribute('value'); bar.max = 1; }
    else { bar.max = Math.max(1, r.count); bar.value = r.count === 0 && r.state === 'done' ? 1 : r.received; }
    $('replay-count').textContent = r.count === null ? (r.received ? r.received + ' / …' : '') : r.received + ' / ' + r.count;
    const st = $('replay-state');
    st.textContent = {starting: 'finding the window…', running: 'replaying…', stopping: 'stopping…',
      done: r.count === 0 ? 'done · nothing in that window' : 'done', stopped: 'stopped',
      failed: 'not available', interrupted: 'interrupted'}[r.state];
    st.className = r.state;
    $('replay-stock').hidden = r.kind !== 'stock';
    $('replay-match').hidden = r.kind !== 'match';
    const m = r.last;
    if (r.kind === 'stock') {
      const chg = m && m.last - r.first.last;
      $('replay-last').textContent = m ? fmt(m.last) : '–';
      const c = $('replay-chg');
      c.textContent = m ? (chg > 0 ? '+' : '') + fmt(chg) + ' (' + (chg > 0 ? '+' : '') + fmt(chg / r.first.last * 100) + '%)' : '–';
      c.className = m && chg > 0 ? 'up' : m && chg < 0 ? 'down' : '';
      $('replay-bid').textContent = m ? fmt(m.bid) : '–';
      $('replay-ask').textContent = m ? fmt(m.ask) : '–';
      $('replay-vol').textContent = m ? fmt(m.volume, 0) : '–';
      drawChart($('replay-chart'), r.pts);
    } else {
      $('replay-score').textContent = m ? m.home + ' ' + m.homeScore + '–' + m.awayScore + ' ' + m.away : r.label;
      const age = r.note ? performance.now() - r.note.at : Infinity;
      const score = $('replay-score');
      if (age >= FLASH_MS) score.classList.remove('correction-flash');
      else if (score.dataset.flashed !== r.note.m.event.id) {   // a new correction: the flash starts again
        score.classList.remove('correction-flash');
        void score.offsetWidth;
        score.classList.add('correction-flash');
        score.dataset.flashed = r.note.m.event.id;
      }
      score.title = age < NOTE_MS ? r.note.text : '';
      $('replay-note').hidden = !(age < NOTE_MS);
      $('replay-note').textContent = age < NOTE_MS ? r.note.text : '';
      $('replay-clock').textContent = m ? (m.status === 'scheduled' ? 'kick-off soon' : m.clock) : '';
      const badge = $('replay-status');
      badge.textContent = m ? m.status : ''; badge.className = 'badge' + (m ? ' ' + m.status : '');
      renderEventList($('replay-events'), r.events, r.board);
    }
  }

  $('replay-form').addEventListener('submit', e => {
    e.preventDefault();
    if (replayActive()) stopReplay(); else startReplay();
  });
  $('replay-target').addEventListener('change', e => { replayTarget = e.target.value; dirty.matches = true; queueFrame(); });
  $('replay-window').addEventListener('change', e => {
    const custom = e.target.value === 'time';
    $('replay-time').hidden = !custom;
    if (custom) {
      if (!$('replay-time').value) $('replay-time').value = clock((latestTs !== null ? latestTs : Date.now() * 1000) - MINUTE);
      $('replay-time').focus();
    }
  });
  // a match picked on the scoreboard is the one to replay (pointerdown: the cards are redrawn often)
  $('matches').addEventListener('pointerdown', e => {
    const card = e.target.closest('.match');
    if (!card) return;
    replayTarget = card.dataset.topic;
    dirty.targets = dirty.matches = true; queueFrame();
  });

  // ---- where the selected symbol's latency goes (status bar) ----------------------------------------
  // The median of each stage over its latest traced messages (STAGE_SAMPLES, none older than STAGE_WINDOW),
  // as numbers and as a bar of three parts in proportion; the hover text has the detail.
  const STAGES = [
    ['feed', 'feed → server', 'written to the queue → read by this server'],
    ['server', 'inside the server', 'read → handed to the socket'],
    ['network', 'network + client', 'handed to the socket → received by this page (its own queueing included;'
      + ' it compares this computer\u2019s clock with the server\u2019s)'],
  ];

  function ms(us) {
    const v = us / 1000, a = Math.abs(v);
    return (a < 0.1 ? v.toFixed(3) : a < 1 ? v.toFixed(2) : a < 10 ? v.toFixed(1) : String(Math.round(v))) + ' ms';
  }

  function quantile(values, q) {
    const sorted = values.slice().sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  }

  function renderStages() {
    stagesAt = performance.now();
    const box = $('stages');
    if (box.hidden) return;
    const sym = traced ? traced.symbol : selected;
    $('stages-symbol').textContent = sym || '–';
    const cutoff = nowMicros() - STAGE_WINDOW;
    const recent = traced ? stageSamples.filter(s => s.at >= cutoff) : [];
    box.classList.toggle('waiting', recent.length === 0);
    const bars = $('stage-bar').children;
    if (recent.length === 0) {
      for (let i = 0; i < STAGES.length; i++) { $('stage-' + STAGES[i][0]).textContent = '–'; bars[i].style.width = '0'; }
      box.title = !sym ? 'Select a symbol to see where its latency goes.'
        : traceRefused ? 'The server refused to trace ' + sym + '.'
        : 'Where the latency of ' + sym + ' goes: waiting for its traced messages…';
      return;
    }
    const median = STAGES.map(([k]) => quantile(recent.map(s => s[k]), 0.5));
    const sum = median.reduce((a, v) => a + Math.max(0, v), 0);
    const lines = ['Where the latency of ' + sym + ' goes: the median of its last ' + recent.length
      + ' messages (traced, ' + STAGE_WINDOW / 1e6 + ' s at most), and their 90th percentile'];
    STAGES.forEach(([k, label, what], i) => {
      $('stage-' + k).textContent = ms(median[i]);
      bars[i].style.width = (sum > 0 ? Math.max(0, median[i]) / sum * 100 : 100 / STAGES.length) + '%';
      lines.push(label + ': ' + ms(median[i]) + ' (p90 ' + ms(quantile(recent.map(s => s[k]), 0.9)) + ') \u2014 ' + what);
    });
    const total = recent.map(s => s.total);
    lines.push('end to end: ' + ms(quantile(total, 0.5)) + ' (p90 ' + ms(quantile(total, 0.9)) + ') \u2014 written to the queue → received');
    box.title = lines.join('\n');
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
    $('last-seq').textContent = client.lastSeq === null ? '–' : client.lastSeq;
    renderReplayWindows();
    renderStages();   // the window moves on: a symbol gone quiet shows none
  }, 1000);
  window.addEventListener('resize', () => { dirty.chart = true; queueFrame(); });

  renderReplayWindows();
  start();
}
