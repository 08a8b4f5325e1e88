// tickstream.js: a client of the tickstream wire protocol (docs/protocol.md, version 1 with the 1.1
// additions), as one ES module with no dependencies, for browsers and Node (18 and later).
//
//   import {connect} from '/tickstream.js';            // Node: import WebSocket from 'ws'; and
//   const client = connect('ws://localhost:8080/ws');   //   connect(url, {WebSocket})
//   const aapl = client.subscribe(['stocks.AAPL', 'sports.>'], {maxRate: 10});
//   aapl.on('message', (m, meta) => console.log(m.topic, m.seq, m.last ?? m.homeScore));
//   client.on('close', c => console.log('lost', c.code, c.meaning, 'back in', c.reconnectInMs, 'ms'));
//   const board = await client.snapshot(['stocks.*'], {at: client.lastSeq});
//   const r = client.replay(['sports.>'], {fromTime: new Date(Date.now() - 60e3), speed: 10});
//   r.on('message', m => console.log('replayed', m.seq)); await r.done;
//
// What it does for its caller: reconnects with exponential backoff and jitter; resumes every
// subscription after a reconnect from the contract's resume point (the highest seq of a message
// that is neither a snapshot nor a replay) with no gap and no duplicate; unpacks array frames;
// answers snapshot and ping requests as Promises; runs replays as handles; surfaces every server
// error, close code and resume outcome as an event. Messages are passed on as the server sent them
// (unknown types and fields included, e.g. `trace`, `late`, corrections of score events); what the
// library knows about a message besides goes in a second argument, `meta` ({receivedAt}).

/** Close codes and what they mean for a tickstream client (docs/protocol.md, "Close codes"). */
export const CLOSE_CODES = Object.freeze({
  1000: 'normal closure',
  1001: 'going away: the server is stopping',
  1002: 'protocol error',
  1003: 'binary frame refused',
  1006: 'connection lost without a close frame',
  1007: 'invalid UTF-8',
  1008: 'rate limit exceeded',
  1009: 'message too big',
  1011: 'server error',
  4001: 'slow consumer',
  4002: 'idle timeout',
  4003: 'token expired',
});

const DEFAULTS = Object.freeze({
  reconnect: true,             // false: a closed connection stays closed
  initialDelayMs: 500,         // first reconnect after 250-500 ms (half of it, plus jitter up to it)
  maxDelayMs: 10000,           // the delay doubles per failed attempt up to this
  stableAfterMs: 5000,         // a connection that lasted this long starts the backoff over
  connectTimeoutMs: 10000,     // an upgrade not answered by then is abandoned (and retried)
  idleTimeoutMs: null,         // nothing received for this long: the connection is dead; default from
                               // welcome.heartbeatMs (3 heartbeats + 2 s)
  resumeAheadTries: 20,        // resume_ahead answers for one subscription before starting it over
  resumeAheadDelayMs: 100,     // between those tries (the server has waited a second already)
  sendRate: 15,                // client messages per second at most (the server allows 20, bursts of 40)
  sendBurst: 30,
});

const TERMINAL = new Set(['bad_request', 'invalid_topic', 'too_many_subscriptions', 'forbidden', 'unknown_op',
  'bad_json']);

/** Now in µs since the epoch, as precisely as the platform tells (ts, trace.read and trace.sent are µs). */
export function nowMicros() {
  const p = globalThis.performance;
  return p && typeof p.timeOrigin === 'number' ? Math.round((p.timeOrigin + p.now()) * 1000) : Date.now() * 1000;
}

/** Whether a topic pattern (`*` one segment, a final `>` one or more) covers a topic. */
export function topicMatches(pattern, topic) {
  if (pattern === topic) return true;
  const p = pattern.split('.'), t = topic.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return i === p.length - 1 && t.length > i;
    if (i >= t.length || (p[i] !== '*' && p[i] !== t[i])) return false;
  }
  return p.length === t.length;
}

/**
 * Where the time of a message went, in µs: `feed` (written to the queue → read by the server),
 * `server` (read → handed to the socket), `network` (handed to the socket → received here, which
 * includes this client's own queueing), and `total` (written → received). `feed`, `server` and
 * `network` are null without a `trace` (subscribe with `trace: true` on a server whose `features`
 * list `trace`). `network` and `total` compare this machine's clock with the server's.
 */
export function stages(message, receivedAt) {
  const t = message && message.trace;
  const has = t && typeof t.read === 'number' && typeof t.sent === 'number';
  return {
    feed: has ? t.read - message.ts : null,
    server: has ? t.sent - t.read : null,
    network: has && typeof receivedAt === 'number' ? receivedAt - t.sent : null,
    total: typeof receivedAt === 'number' && typeof message.ts === 'number' ? receivedAt - message.ts : null,
  };
}

/** An `error` answer (or a lost connection, code `disconnected`) as an Error; `details` is the message. */
export class TickstreamError extends Error {
  constructor(details) {
    super((details.code ? details.code + ': ' : '') + (details.message || 'error'));
    this.name = 'TickstreamError';
    this.code = details.code;
    this.details = details;
  }
}

/** on/off/once, listeners called in order; one that throws does not stop the others (rethrown later). */
class Emitter {
  constructor() { this._listeners = new Map(); }
  /** Calls `fn` on each `type` event; returns a function that stops it. */
  on(type, fn) {
    if (typeof fn !== 'function') throw new TypeError('a listener is a function');
    if (!this._listeners.has(type)) this._listeners.set(type, []);
    this._listeners.get(type).push(fn);
    return () => this.off(type, fn);
  }
  off(type, fn) {
    const list = this._listeners.get(type);
    const i = list ? list.indexOf(fn) : -1;
    if (i >= 0) list.splice(i, 1);
  }
  once(type, fn) {
    const off = this.on(type, (...args) => { off(); fn(...args); });
    return off;
  }
  _emit(type, ...args) {
    const list = this._listeners.get(type);
    if (!list || list.length === 0) return;
    for (const fn of list.slice()) {
      try { fn.apply(this, args); } catch (e) { queueMicrotask(() => { throw e; }); }
    }
  }
}

/** A Promise whose rejection counts as handled: an unawaited failure is not an unhandled rejection. */
function deferred() {
  const d = {};
  d.promise = new Promise((resolve, reject) => { d.resolve = resolve; d.reject = reject; });
  d.promise.catch(() => {});
  return d;
}

function topicList(topics) {
  const list = typeof topics === 'string' ? [topics] : Array.isArray(topics) ? topics.slice() : null;
  if (!list || list.length === 0 || !list.every(t => typeof t === 'string' && t.length > 0)) {
    throw new TypeError('topics: a topic or pattern, or a non-empty array of them');
  }
  return list;
}

/** A replay time as the protocol takes it: µs since the epoch (a number, or a Date), or an ISO-8601 string. */
function replayTime(name, t) {
  if (t instanceof Date) {
    if (Number.isNaN(t.getTime())) throw new TypeError(name + ': an invalid Date');
    return t.getTime() * 1000;
  }
  if (typeof t === 'number' && Number.isFinite(t)) return Math.round(t);
  if (typeof t === 'string' && t.length > 0) return t;
  throw new TypeError(name + ': µs since the epoch, a Date or an ISO-8601 string');
}

function resolveUrl(url) {
  const loc = globalThis.location;
  if (url === undefined || url === null) {
    if (!loc || !loc.host) throw new TypeError('connect(url): a ws:// or wss:// URL');
    return (loc.protocol === 'https:' ? 'wss://' : 'ws://') + loc.host + '/ws';
  }
  const u = new URL(String(url), loc && loc.href ? loc.href : undefined);
  if (u.protocol === 'http:') u.protocol = 'ws:';
  else if (u.protocol === 'https:') u.protocol = 'wss:';
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') throw new TypeError('connect(url): a ws:// or wss:// URL, not ' + url);
  return u.toString();
}

/**
 * One `subscribe` of a client, kept across reconnects (resumed with `from`) until it is
 * unsubscribed or the server refuses it. Events: `message` (m, meta): a tick or score of its topics
 * (snapshots have `snapshot: true`); `subscribed` (the answer, with `snapshotSeq`); `gap` ({code,
 * from, message}): what a resume could not replay (`resume_unavailable`: snapshots follow, or
 * `resume_ahead` given up: it starts over from snapshots); `error` (the error message): the server
 * refused it, and it is over.
 * `state`: `pending` (not sent on this connection yet), `sent`, `active` (its snapshots or its
 * resume are in: what follows is live), `retrying` (a resume the server was not ready for),
 * `failed` or `ended`.
 */
export class Subscription extends Emitter {
  constructor(client, id, topics, options) {
    super();
    this.client = client;
    this.id = id;
    this.topics = topics;
    this.options = options;
    this.state = 'pending';
    /** The `snapshotSeq` of the last `subscribed` answer. */
    this.snapshotSeq = null;
    this._sentFrom = null;      // the `from` of the subscribe in flight on this connection, if any
    this._floor = null;         // while that resume is not in: the resume point it must not pass
    this._marker = 0;           // the marker ping whose pong says the subscribe is in
    this._aheadTries = 0;
  }
  /** Unsubscribes its topics (those no other subscription of the client holds); see Client#unsubscribe. */
  unsubscribe() { return this.client._end(this); }
}

/**
 * A `replay` of a time window. Events: `replaying` (the answer: fromSeq, toSeq, count), `message`
 * (m, meta: each replayed message, with `replay` = its id), `end` (the `replayed` answer; `cancelled`
 * when stopped early), `error` (the server refused it, or the connection was lost: code
 * `disconnected`; a replay is not resumed). `done` resolves with the `replayed` answer or rejects
 * with a TickstreamError. `state`: pending, running, cancelling, done, cancelled, failed, interrupted.
 */
export class Replay extends Emitter {
  constructor(client, id, request) {
    super();
    this.client = client;
    this.id = id;
    this.request = request;
    this.state = 'pending';
    this.fromSeq = null;
    this.toSeq = null;
    this.count = null;
    this.received = 0;
    this._sent = false;
    this._done = deferred();
    this.done = this._done.promise;
  }
  get active() { return this.state === 'pending' || this.state === 'running' || this.state === 'cancelling'; }
  /** Stops it early: the server answers `replayed` with the count sent so far (`end`). */
  cancel() {
    if (!this._sent && this.client._unhold(this.request)) {
      this._finish('cancelled', {type: 'replayed', id: this.id, count: 0, cancelled: true});
    } else if (this.state === 'pending' || this.state === 'running') {
      this.state = 'cancelling';
      this.client._request({op: 'cancel', id: this.id});
    }
  }
  _finish(state, m) {
    this.state = state;
    this.client._retire(this.id, this);
    if (state === 'done' || state === 'cancelled') {
      this._emit('end', m);
      this._done.resolve(m);
    } else {
      this._emit('error', m);
      this._done.reject(new TickstreamError(m));
    }
  }
}

/**
 * A connection to a tickstream server that reconnects and resumes by itself; made by connect().
 * Events: `state` (connecting | open | reconnecting | closed), `open`, `welcome` (m), `message` (m,
 * meta: every server message, arrays unpacked, but for the repeats a resume may bring), `data` (m, meta: every tick and score of the
 * subscriptions, snapshots included, replays not), `error` (m, {owner}: an `error` message; owner is
 * the Subscription or Replay it answers, or the kind of request ('ping', 'snapshot', 'unsubscribe'),
 * null when none: such errors are also given to their owner), `gap` ({subscription, code, from,
 * message}), `resumed` ({from, subscriptions}: after a reconnect, every subscription is live again
 * with nothing missed), `close` ({code, reason, meaning, wasClean, reconnectInMs, attempt}).
 */
export class Client extends Emitter {
  constructor(url, options = {}) {
    super();
    this.url = resolveUrl(url);
    const o = Object.assign({}, DEFAULTS, options);
    this._WebSocket = o.WebSocket || globalThis.WebSocket;
    if (typeof this._WebSocket !== 'function') {
      throw new TypeError('no WebSocket here: pass one as options.WebSocket (on Node: the ws package\'s class)');
    }
    this.options = o;
    /** connecting | open | reconnecting | closed (by close(), or with reconnect off). */
    this.state = 'connecting';
    /** The last welcome: session, protocol, heartbeatMs, features... */
    this.welcome = null;
    /** What this server implements of protocol 1.1 (welcome.features): replay, snapshotAt, trace... */
    this.features = [];
    /** The contract's resume point: the highest seq received on a message neither a snapshot nor a replay. */
    this.lastSeq = null;
    /** Connections lost so far (each is followed by a reconnect unless the client is closed). */
    this.reconnects = 0;
    this.stats = {frames: 0, messages: 0, duplicates: 0};
    this._ws = null;
    this._welcomed = false;
    this._attempt = 0;
    this._openedAt = 0;
    this._lastHeard = 0;
    this._subs = new Map();         // id -> Subscription (not failed, not ended)
    this._replays = new Map();      // id -> Replay, while it runs
    this._requests = new Map();     // id -> {kind, d, sentOn}: ping, snapshot, unsubscribe answers
    this._retired = new Map();      // id -> what it was, for late answers (a cancel crossing the end)
    this._held = [];                // requests made while not connected, sent after the next welcome
    this._routes = new Map();       // topic -> subscriptions covering it (a cache)
    this._topicSeq = new Map();     // topic -> highest live seq received: drops what a resume repeats
    this._queue = [];               // client messages waiting for the send rate
    this._tokens = o.sendBurst;
    this._tokensAt = Date.now();
    this._flushTimer = null;
    this._marker = 0;               // markers sent on this connection
    this._markerQueued = false;
    this._resuming = null;          // {from} after a reconnect, until every subscription is in
    this._ids = 0;
    this._timers = new Set();
    this._watchdog = null;
    this._closedByUser = false;
    queueMicrotask(() => this._open());
  }

  /** Whether the server's welcome listed a 1.1 feature (replay, snapshotAt, staleness, trace, corrections). */
  has(feature) { return this.features.includes(feature); }

  /**
   * Where a reconnect resumes from: the contract's resume point, held back while a subscribe with
   * `from` is being replayed (its messages come before the live ones it holds back, so a seq it
   * brings is no promise about the other topics).
   */
  get resumePoint() {
    let p = this.lastSeq;
    for (const s of this._subs.values()) {
      if (s._floor !== null && (p === null || s._floor < p)) p = s._floor;
    }
    return p;
  }

  /** Resolves once the connection is open and welcomed (at once if it is). */
  ready() {
    if (this._welcomed) return Promise.resolve(this.welcome);
    if (this.state === 'closed') return Promise.reject(new TickstreamError({code: 'closed', message: 'the client is closed'}));
    return new Promise((resolve, reject) => {
      const offW = this.once('welcome', w => { offS(); resolve(w); });
      const offS = this.on('state', s => { if (s === 'closed') { offW(); offS(); reject(new TickstreamError({code: 'closed', message: 'the client is closed'})); } });
    });
  }

  /**
   * Subscribes to topics or patterns. Options, as the protocol has them: id (a string; made up when
   * absent), snapshot, from, maxRate, maxStalenessMs, trace; and resumeSnapshot: whether a resume
   * asks for each topic's value at the resume point too (default: with maxRate or maxStalenessMs,
   * whose held-back values can carry a seq below the resume point). Kept across reconnects.
   */
  subscribe(topics, options = {}) {
    const list = topicList(topics);
    const id = options.id !== undefined ? String(options.id) : this._id('sub');
    if (this._subs.has(id) || this._replays.has(id) || this._requests.has(id)) throw new Error('id ' + id + ' is in use');
    const opts = {};
    for (const k of ['snapshot', 'from', 'maxRate', 'maxStalenessMs', 'trace']) {
      if (options[k] !== undefined) opts[k] = options[k];
    }
    opts.resumeSnapshot = options.resumeSnapshot !== undefined ? !!options.resumeSnapshot
      : opts.maxRate !== undefined || opts.maxStalenessMs !== undefined;
    const sub = new Subscription(this, id, list, opts);
    this._subs.set(id, sub);
    this._routes.clear();
    if (this._welcomed) this._sendSubscribe(sub, opts.from !== undefined ? opts.from : null, opts.snapshot);
    return sub;
  }

  /**
   * Unsubscribes topics (the exact strings subscribed): they leave every subscription holding them
   * (one left with none ends). Resolves with the `unsubscribed` answer (at once when not connected).
   */
  unsubscribe(topics, options = {}) {
    const list = topicList(topics);
    for (const sub of [...this._subs.values()]) {
      const rest = sub.topics.filter(t => !list.includes(t));
      if (rest.length === sub.topics.length) continue;
      sub.topics = rest;
      if (rest.length === 0) { sub.state = 'ended'; this._subs.delete(sub.id); }
    }
    return this._dropTopics(list, options.id);
  }

  /** A `snapshot`: the state of topics as of seq `at` (now when absent); resolves with the answer {at, messages}. */
  snapshot(topics, options = {}) {
    const msg = {op: 'snapshot', id: options.id !== undefined ? String(options.id) : this._id('snap'), topics: topicList(topics)};
    if (options.at !== undefined && options.at !== null) msg.at = options.at;
    return this._ask('snapshot', msg);
  }

  /** A `ping`; resolves with the pong and `rttMs`. */
  ping(options = {}) {
    const id = options.id !== undefined ? String(options.id) : this._id('ping');
    const start = Date.now();
    return this._ask('ping', {op: 'ping', id}).then(m => Object.assign({rttMs: Date.now() - start}, m));
  }

  /**
   * A `replay` of the messages of topics written between fromTime and toTime (µs since the epoch, a
   * Date or an ISO-8601 string; toTime absent: up to now) at `speed` (1 real time, 0 as fast as it
   * goes; the server's default 1). Returns a Replay.
   */
  replay(topics, options = {}) {
    const id = options.id !== undefined ? String(options.id) : this._id('replay');
    if (this._replays.has(id) || this._subs.has(id) || this._requests.has(id)) throw new Error('id ' + id + ' is in use');
    const msg = {op: 'replay', id, topics: topicList(topics), fromTime: replayTime('fromTime', options.fromTime)};
    if (options.toTime !== undefined && options.toTime !== null) msg.toTime = replayTime('toTime', options.toTime);
    if (options.speed !== undefined) msg.speed = options.speed;
    const r = new Replay(this, id, msg);
    this._replays.set(id, r);
    this._request(msg);
    return r;
  }

  /** Closes the connection for good (no reconnect); pending requests reject with code `closed`. */
  close(code = 1000, reason = '') {
    if (this._closedByUser) return;
    this._closedByUser = true;
    for (const t of this._timers) clearTimeout(t);
    this._timers.clear();
    const ws = this._ws;
    if (ws) {
      this._detach(ws);
      try { ws.close(code, reason); } catch (e) { /* already closing */ }
    }
    this._lost({code, reason, wasClean: true}, ws !== null);
  }

  // ---- the connection ---------------------------------------------------------------------
  _open() {
    if (this._closedByUser) return;
    this._setState('connecting');
    let target = this.url;
    const token = typeof this.options.token === 'function' ? this.options.token() : this.options.token;
    if (token) {
      const u = new URL(target);
      u.searchParams.set('token', token);
      target = u.toString();
    }
    let ws;
    try {
      ws = new this._WebSocket(target);
    } catch (e) {
      this._lost({code: 1006, reason: String(e && e.message || e), wasClean: false});
      return;
    }
    this._ws = ws;
    this._welcomed = false;
    this._marker = 0;
    const timeout = this._timer(() => {
      if (this._ws === ws && !this._openedAt) this._abandon(ws, 'no answer to the upgrade in ' + this.options.connectTimeoutMs + ' ms');
    }, this.options.connectTimeoutMs);
    this._openedAt = 0;
    ws.onopen = () => {
      if (this._ws !== ws) return;
      this._clear(timeout);
      this._openedAt = Date.now();
      this._lastHeard = Date.now();
      this._setState('open');
      this._emit('open');
    };
    ws.onmessage = e => { if (this._ws === ws) this._frame(e.data); };
    ws.onerror = () => {};   // the close event that follows says what happened
    ws.onclose = e => {
      if (this._ws !== ws) return;
      this._clear(timeout);
      this._lost({code: e.code, reason: e.reason || '', wasClean: !!e.wasClean});
    };
  }

  /** Leaves a socket that went silent (or never opened): as lost, without waiting for its close. */
  _abandon(ws, reason) {
    this._detach(ws);
    try { ws.close(); } catch (e) { /* not open yet, or already closing */ }
    this._lost({code: 1006, reason, wasClean: false});
  }

  _detach(ws) {
    ws.onopen = ws.onmessage = ws.onclose = null;
    ws.onerror = () => {};
  }

  /**
   * The connection is gone (or, after close(), given up): fail what it carried, and reconnect unless
   * closed for good. `announce`: whether to emit `close` (not for a close() between connections).
   */
  _lost(info, announce = true) {
    const openedAt = this._openedAt;
    this._ws = null;
    this._welcomed = false;
    this._openedAt = 0;
    this._queue.length = 0;
    if (this._watchdog) { clearInterval(this._watchdog); this._watchdog = null; }
    if (this._flushTimer) { this._clear(this._flushTimer); this._flushTimer = null; }
    const closed = this._closedByUser || !this.options.reconnect;
    const lost = {type: 'error', code: closed ? 'closed' : 'disconnected',
      message: 'the connection closed (' + info.code + (info.reason ? ' ' + info.reason : '') + ') before the answer'};
    for (const [id, r] of this._requests) {
      if (r.sentOn !== undefined || closed) { this._requests.delete(id); r.d.reject(new TickstreamError(Object.assign({id}, lost))); }
    }
    for (const r of [...this._replays.values()]) {
      if (r._sent || closed) r._finish('interrupted', Object.assign({}, lost, {id: r.id}));
    }
    if (closed) this._held.length = 0;
    for (const s of this._subs.values()) if (s.state === 'retrying') s.state = 'sent';
    let delay = null;
    if (!closed) {
      if (openedAt && Date.now() - openedAt >= this.options.stableAfterMs) this._attempt = 0;
      const base = Math.min(this.options.maxDelayMs, this.options.initialDelayMs * Math.pow(2, this._attempt++));
      delay = Math.round(base / 2 + Math.random() * base / 2);
      this.reconnects++;
    }
    this._setState(closed ? 'closed' : 'reconnecting');
    if (announce) this._emit('close', {code: info.code, reason: info.reason, meaning: CLOSE_CODES[info.code] || '',
      wasClean: info.wasClean, reconnectInMs: delay, attempt: closed ? null : this._attempt});
    if (!closed) this._timer(() => this._open(), delay);
  }

  _setState(s) {
    if (this.state === s) return;
    this.state = s;
    this._emit('state', s);
  }

  _timer(fn, ms) {
    const t = setTimeout(() => { this._timers.delete(t); fn(); }, ms);
    this._timers.add(t);
    return t;
  }

  _clear(t) { clearTimeout(t); this._timers.delete(t); }

  _startWatchdog(heartbeatMs) {
    if (this._watchdog) { clearInterval(this._watchdog); this._watchdog = null; }
    const limit = this.options.idleTimeoutMs || (heartbeatMs > 0 ? heartbeatMs * 3 + 2000 : 0);
    if (!limit) return;
    const ws = this._ws;
    this._watchdog = setInterval(() => {
      if (this._ws === ws && Date.now() - this._lastHeard > limit) this._abandon(ws, 'nothing received for ' + limit + ' ms');
    }, Math.min(1000, Math.max(50, limit / 4)));
    if (typeof this._watchdog === 'object' && this._watchdog && this._watchdog.unref) this._watchdog.unref();
  }

  // ---- sending ------------------------------------------------------------------------------
  _id(kind) { return 'ts-' + kind + '-' + (++this._ids); }

  /** Sends now, paced by the send rate; only on a welcomed connection. */
  _send(msg) {
    this._queue.push(msg);
    this._flush();
  }

  _flush() {
    const ws = this._ws;
    if (!ws || !this._welcomed) return;
    const now = Date.now();
    this._tokens = Math.min(this.options.sendBurst, this._tokens + (now - this._tokensAt) * this.options.sendRate / 1000);
    this._tokensAt = now;
    while (this._queue.length && this._tokens >= 1) {
      const msg = this._queue.shift();
      this._tokens -= 1;
      try { ws.send(JSON.stringify(msg)); } catch (e) { return; }   // closing: its close event follows
    }
    if (this._queue.length && !this._flushTimer) {
      this._flushTimer = this._timer(() => { this._flushTimer = null; this._flush(); },
        Math.ceil((1 - this._tokens) * 1000 / this.options.sendRate));
    }
  }

  /** A request: sent now when connected, else after the next welcome. */
  _request(msg) {
    if (this._welcomed) {
      const r = this._requests.get(msg.id);
      if (r) r.sentOn = this._ws;
      if (msg.op === 'replay') { const rp = this._replays.get(msg.id); if (rp) rp._sent = true; }
      this._send(msg);
    } else {
      this._held.push(msg);
    }
  }

  /** Takes a request back that was held and not sent; whether it was. */
  _unhold(msg) {
    const i = this._held.indexOf(msg);
    if (i < 0) return false;
    this._held.splice(i, 1);
    return true;
  }

  _ask(kind, msg) {
    if (this._closedByUser) return Promise.reject(new TickstreamError({code: 'closed', message: 'the client is closed'}));
    if (this._requests.has(msg.id) || this._subs.has(msg.id) || this._replays.has(msg.id)) {
      return Promise.reject(new Error('id ' + msg.id + ' is in use'));
    }
    const d = deferred();
    this._requests.set(msg.id, {kind, d});
    this._request(msg);
    return d.promise;
  }

  _retire(id, owner) {
    this._replays.delete(id);
    this._retired.set(id, owner);
    if (this._retired.size > 64) this._retired.delete(this._retired.keys().next().value);
  }

  _sendSubscribe(sub, from, snapshot) {
    const msg = {op: 'subscribe', id: sub.id, topics: sub.topics};
    if (from !== null && from !== undefined) {
      msg.from = from;
      if (snapshot) msg.snapshot = true;
      sub._sentFrom = from;
      sub._floor = this.lastSeq === null ? from : Math.min(from, this.lastSeq);
    } else {
      if (snapshot !== undefined) msg.snapshot = snapshot;
      sub._sentFrom = null;
      sub._floor = null;
    }
    for (const k of ['maxRate', 'maxStalenessMs', 'trace']) if (sub.options[k] !== undefined) msg[k] = sub.options[k];
    sub.state = 'sent';
    sub._marker = this._marker + 1;
    this._send(msg);
    this._queueMarker();
  }

  /**
   * A ping after the subscribes of this turn: the server answers a client's messages in order, and
   * those that follow a resume only once its replay and the live messages it held back are written,
   * so the pong says that every subscribe before it is in.
   */
  _queueMarker() {
    if (this._markerQueued) return;
    this._markerQueued = true;
    const ws = this._ws;
    queueMicrotask(() => {
      this._markerQueued = false;
      if (this._ws !== ws || !this._welcomed) return;
      this._send({op: 'ping', id: 'ts-mark-' + (++this._marker)});
    });
  }

  _markerReached(n) {
    for (const s of this._subs.values()) {
      if (s.state === 'sent' && s._marker <= n) {
        s.state = 'active';
        s._floor = null;
        s._aheadTries = 0;
      }
    }
    if (this._resuming && ![...this._subs.values()].some(s => s.state === 'sent' || s.state === 'retrying')) {
      const from = this._resuming.from;
      this._resuming = null;
      this._emit('resumed', {from, subscriptions: this._subs.size});
    }
  }

  /** On a welcome: every subscription again (resumed, or afresh when it never was in), then held requests. */
  _resubscribe() {
    const point = this.resumePoint;
    let resumed = false;
    for (const sub of this._subs.values()) {
      const wasIn = sub.state === 'active' || sub._floor !== null;
      let from = null;
      if (wasIn) {
        from = point;
        if (sub.state === 'active' && sub.snapshotSeq !== null && (from === null || sub.snapshotSeq > from)) from = sub.snapshotSeq;
        if (from === null) from = sub._sentFrom;
      } else if (sub.options.from !== undefined) {
        from = sub.options.from;
      }
      if (wasIn && from !== null) {
        resumed = true;
        this._sendSubscribe(sub, from, sub.options.resumeSnapshot);
      } else {
        this._sendSubscribe(sub, from, sub.options.snapshot);
      }
    }
    if (resumed) this._resuming = {from: point};
    const held = this._held.splice(0);
    for (const msg of held) this._request(msg);
  }

  _end(sub) {
    if (sub.state === 'ended' || sub.state === 'failed') return Promise.resolve(null);
    sub.state = 'ended';
    this._subs.delete(sub.id);
    this._routes.clear();
    return this._dropTopics(sub.topics);
  }

  /** Sends `unsubscribe` for those of `topics` no subscription holds any more; forgets their seqs. */
  _dropTopics(topics, id) {
    this._routes.clear();
    const held = new Set();
    for (const s of this._subs.values()) for (const t of s.topics) held.add(t);
    const drop = topics.filter(t => !held.has(t));
    for (const topic of [...this._topicSeq.keys()]) {
      if (this._route(topic).length === 0) this._topicSeq.delete(topic);
    }
    if (drop.length === 0 || !this._welcomed) return Promise.resolve(null);
    return this._ask('unsubscribe', {op: 'unsubscribe', id: id !== undefined ? String(id) : this._id('unsub'), topics: drop});
  }

  /** The subscriptions covering a topic. */
  _route(topic) {
    let subs = this._routes.get(topic);
    if (!subs) {
      subs = [];
      for (const s of this._subs.values()) if (s.topics.some(p => topicMatches(p, topic))) subs.push(s);
      this._routes.set(topic, subs);
    }
    return subs;
  }

  // ---- receiving ----------------------------------------------------------------------------
  _frame(data) {
    const meta = {receivedAt: nowMicros()};
    this._lastHeard = Date.now();
    this.stats.frames++;
    if (typeof data !== 'string') {
      try { data = new TextDecoder().decode(data); } catch (e) { return; }   // the server sends text only
    }
    let parsed;
    try {
      parsed = JSON.parse(data);
    } catch (e) {
      this._emit('error', {type: 'error', code: 'bad_frame', message: 'a frame that is not JSON: ' + String(data).slice(0, 80)}, {owner: null});
      return;
    }
    if (Array.isArray(parsed)) { for (const m of parsed) this._message(m, meta); } else this._message(parsed, meta);
  }

  _message(m, meta) {
    if (m === null || typeof m !== 'object') return;
    this.stats.messages++;
    if (m.replay !== undefined && m.replay !== null) {
      this._emit('message', m, meta);
      const r = this._replays.get(m.replay);
      if (r && r.active) { r.received++; r._emit('message', m, meta); }
      return;
    }
    switch (m.type) {
      case 'welcome': this._welcome(m); this._emit('message', m, meta); return;
      case 'subscribed': {
        this._emit('message', m, meta);
        const s = this._subs.get(m.id);
        if (s) {
          if (typeof m.snapshotSeq === 'number') s.snapshotSeq = m.snapshotSeq;
          s._emit('subscribed', m);
        }
        return;
      }
      case 'pong': {
        this._emit('message', m, meta);
        const id = String(m.id);
        if (id.startsWith('ts-mark-')) { this._markerReached(Number(id.slice(8))); return; }
        this._answer(m);
        return;
      }
      case 'snapshot':
      case 'unsubscribed':
        this._emit('message', m, meta);
        this._answer(m);
        return;
      case 'replaying': {
        this._emit('message', m, meta);
        const r = this._replays.get(m.id);
        if (r && r.active) {
          Object.assign(r, {fromSeq: m.fromSeq, toSeq: m.toSeq, count: m.count});
          if (r.state === 'pending') r.state = 'running';
          r._emit('replaying', m);
        }
        return;
      }
      case 'replayed': {
        this._emit('message', m, meta);
        const r = this._replays.get(m.id);
        if (r && r.active) r._finish(m.cancelled ? 'cancelled' : 'done', m);
        return;
      }
      case 'error': this._emit('message', m, meta); this._error(m); return;
      case 'heartbeat': this._emit('message', m, meta); return;
      default:
        if (typeof m.topic === 'string') this._data(m, meta);
        else this._emit('message', m, meta);
    }
  }

  _welcome(m) {
    this.welcome = m;
    this.features = Array.isArray(m.features) ? m.features.slice() : [];
    this._welcomed = true;
    this._tokens = this.options.sendBurst;
    this._tokensAt = Date.now();
    this._startWatchdog(m.heartbeatMs);
    this._resubscribe();   // first: a subscribe made by a welcome listener is sent once
    this._emit('welcome', m);
  }

  _data(m, meta) {
    if (!m.snapshot && typeof m.seq === 'number') {
      const last = this._topicSeq.get(m.topic);
      if (last !== undefined && m.seq <= last) { this.stats.duplicates++; return; }
      this._topicSeq.set(m.topic, m.seq);
      if (this.lastSeq === null || m.seq > this.lastSeq) this.lastSeq = m.seq;
    }
    this._emit('message', m, meta);
    const subs = this._route(m.topic);
    if (subs.length === 0) return;   // a topic unsubscribed a moment ago
    this._emit('data', m, meta);
    for (const s of subs) s._emit('message', m, meta);
  }

  _answer(m) {
    const r = this._requests.get(m.id);
    if (!r) return;
    this._requests.delete(m.id);
    this._retired.set(m.id, r.kind);
    if (this._retired.size > 64) this._retired.delete(this._retired.keys().next().value);
    r.d.resolve(m);
  }

  _error(m) {
    const id = m.id === undefined || m.id === null ? null : String(m.id);
    let owner = null;
    if (id !== null && this._subs.has(id)) {
      owner = this._subs.get(id);
      this._subscribeError(owner, m);
    } else if (id !== null && this._replays.has(id)) {
      owner = this._replays.get(id);
      if (owner.active) owner._finish('failed', m);
    } else if (id !== null && this._requests.has(id)) {
      const r = this._requests.get(id);
      owner = r.kind;
      this._requests.delete(id);
      r.d.reject(new TickstreamError(m));
    } else if (id !== null && this._retired.has(id)) {
      owner = this._retired.get(id);   // e.g. a cancel that crossed its replay's end
    }
    this._emit('error', m, {owner});
  }

  _subscribeError(sub, m) {
    const ws = this._ws;
    if (m.code === 'resume_unavailable') {
      const gap = {subscription: sub, code: m.code, from: sub._sentFrom, message: m.message};
      sub._emit('gap', gap);
      this._emit('gap', gap);
    } else if (m.code === 'resume_ahead') {
      // Nothing is subscribed. This server has not reached the seq yet (a cluster edge a little
      // behind the one before): ask again with the same from. Still ahead after a number of tries, the
      // queue was reset: start over from snapshots.
      sub.state = 'retrying';
      if (++sub._aheadTries < this.options.resumeAheadTries) {
        this._timer(() => {
          if (this._ws === ws && this._welcomed && sub.state === 'retrying') this._sendSubscribe(sub, sub._sentFrom, sub.options.resumeSnapshot);
        }, this.options.resumeAheadDelayMs);
      } else {
        const gap = {subscription: sub, code: m.code, from: sub._sentFrom, head: m.head, message: m.message};
        sub._aheadTries = 0;
        this.lastSeq = null;
        this._topicSeq.clear();
        for (const s of this._subs.values()) { s._floor = null; if (s.snapshotSeq !== null && m.head !== undefined && s.snapshotSeq > m.head) s.snapshotSeq = null; }
        sub._emit('gap', gap);
        this._emit('gap', gap);
        this._sendSubscribe(sub, null, sub.options.snapshot);
      }
    } else if (m.code === 'rate_limited') {
      this._timer(() => { if (this._ws === ws && this._welcomed && sub.state === 'sent') this._sendSubscribe(sub, sub._sentFrom, sub._sentFrom !== null ? sub.options.resumeSnapshot : sub.options.snapshot); }, 1000);
    } else if (TERMINAL.has(m.code)) {
      sub.state = 'failed';
      this._subs.delete(sub.id);
      this._routes.clear();
      sub._emit('error', m);
    }
  }
}

/**
 * Connects to a tickstream server and keeps connected until close(). url: ws(s)://HOST/ws (http(s)
 * is taken too; in a page, absent: this page's server). Options: WebSocket (the class to use; the
 * global one by default, the ws package's on Node before 22), token (a string, or a function called
 * at each connect: sent as ?token=), reconnect (false: stay closed), initialDelayMs, maxDelayMs
 * (the backoff: each delay is between half and all of initialDelayMs doubled per failed attempt,
 * capped at maxDelayMs), stableAfterMs, connectTimeoutMs, idleTimeoutMs, resumeAheadTries,
 * resumeAheadDelayMs, sendRate and sendBurst (see DEFAULTS above).
 */
export function connect(url, options) {
  return new Client(url, options);
}
