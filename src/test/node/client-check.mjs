// The Node side of NodeClientTest: the server's own tickstream.js (as served at /tickstream.js) under
// node, with the ws package's WebSocket, against a real server and simulator.
//
//   node client-check.mjs LIBRARY WS_URL OUT_JSON
//
// It subscribes (plain, traced, throttled), takes a ping, two snapshots and two replays (one run to
// its end, one cancelled), then drops its own connection twice (the second time in the middle of the
// resume that follows the first) and says "restart-me": the test restarts the server, and it resumes
// once more. Each step is one JSON line on stdout; the test answers on stdin with
// {"cmd":"finish","until":SEQ,"tsla":SEQ} once the feed has stopped, and it writes what it received to
// OUT_JSON when it has received up to there, and exits 0. The test checks it against the queue.
import WebSocket from 'ws';
import {writeFileSync} from 'node:fs';
import {createInterface} from 'node:readline';
import {pathToFileURL} from 'node:url';

const [library, url, out] = process.argv.slice(2);
const {connect, stages, TickstreamError} = await import(pathToFileURL(library).href);

const say = o => process.stdout.write(JSON.stringify(o) + '\n');
const fail = why => { say({event: 'failed', why: String(why && why.stack || why)}); process.exit(1); };
process.on('unhandledRejection', fail);
process.on('uncaughtException', fail);

// every socket the client opens, so that the script can cut one as a network failure would; while
// the network is "down" its connections go to a port where nothing listens
const sockets = [];
let downUntil = 0;
class Socket extends WebSocket {
  constructor(url, ...rest) {
    super(Date.now() < downUntil ? 'ws://127.0.0.1:9/ws' : url, ...rest);
    sockets.push(this);
  }
}

const client = connect(url, {WebSocket: Socket, initialDelayMs: 100, maxDelayMs: 1000});
const live = [];            // [topic, seq, ts] of live ticks and scores of main and traced, in order received
const tsla = [];            // [seq, snapshot] of the throttled subscription
const replayLeaks = [];     // replayed messages that reached a subscription (there must be none)
let snapshots = 0;
let traced = 0, tracedWithTrace = 0, stagesSeen = null;
let welcomes = 0;
const closes = [];
const waiters = [];
const settle = () => { for (const w of waiters.slice()) if (w.test()) { waiters.splice(waiters.indexOf(w), 1); w.resolve(); } };
const until = (test, what, ms = 30000) => new Promise((resolve, reject) => {
  if (test()) { resolve(); return; }
  const w = {test, resolve: () => { clearTimeout(t); resolve(); }};
  const t = setTimeout(() => { waiters.splice(waiters.indexOf(w), 1); reject(new Error('timed out waiting for ' + what)); }, ms);
  waiters.push(w);
});

client.on('welcome', w => { welcomes++; say({event: 'welcome', n: welcomes, features: w.features}); settle(); });
client.on('close', c => { closes.push(c.code); say({event: 'close', code: c.code, reason: c.reason, meaning: c.meaning, reconnectInMs: c.reconnectInMs}); settle(); });
client.on('resumed', r => { say({event: 'resumed', from: r.from, lastSeq: client.lastSeq}); settle(); });
client.on('gap', g => say({event: 'gap', code: g.code, id: g.subscription.id}));
client.on('error', (m, {owner}) => say({event: 'error', code: m.code, message: m.message, owned: owner !== null}));

const main = client.subscribe(['stocks.AAPL', 'stocks.MSFT', 'sports.>'], {id: 'main'});
let cut = null;
main.once('subscribed', m => { cut = m.snapshotSeq; });
const onLive = (m, meta) => {
  if (m.replay !== undefined) replayLeaks.push(m.seq);
  if (m.snapshot) { snapshots++; return; }
  live.push([m.topic, m.seq, m.ts]);
  settle();
};
main.on('message', onLive);
const trace = client.subscribe(['stocks.NVDA'], {id: 'traced', trace: true});
trace.on('message', (m, meta) => {
  onLive(m, meta);
  if (m.snapshot) return;
  traced++;
  if (m.trace && typeof m.trace.read === 'number' && typeof m.trace.sent === 'number') {
    tracedWithTrace++;
    stagesSeen = stages(m, meta.receivedAt);
  }
});
const throttled = client.subscribe(['stocks.TSLA'], {id: 'throttled', maxRate: 5});
throttled.on('message', m => { if (m.replay !== undefined) replayLeaks.push(m.seq); tsla.push([m.seq, !!m.snapshot]); settle(); });

await until(() => live.length >= 300 && traced >= 3 && tsla.length >= 2, '300 live messages');
say({event: 'live', received: live.length, cut, features: client.features});

// ping, the snapshot of now and of a seq seen
const pong = await client.ping();
say({event: 'pong', rttMs: pong.rttMs, ts: pong.ts});
const now = await client.snapshot(['stocks.*']);
say({event: 'snapshot-now', at: now.at, topics: now.messages.length});
const at = live[Math.floor(live.length / 2)][1];
const then = await client.snapshot(['stocks.*', 'sports.>'], {at});
say({event: 'snapshot-at', at: then.at, messages: then.messages.map(m => [m.topic, m.seq])});
try {
  await client.snapshot(['stocks.*'], {at: 1});
  fail('a snapshot at seq 1 answered');
} catch (e) {
  if (!(e instanceof TickstreamError)) throw e;
  say({event: 'snapshot-refused', code: e.code});
}

// a replay of the football between two messages seen (a Date and an ISO string), as fast as it goes
const fromTs = live[20][2], toTs = live[live.length - 20][2];
const fromTime = new Date(Math.ceil(fromTs / 1000));                 // ms: a Date
const toTime = new Date(Math.floor(toTs / 1000)).toISOString();      // an ISO-8601 string
const r = client.replay(['sports.>'], {fromTime, toTime, speed: 0});
const replayed = [];
let replaying = null;
r.on('replaying', m => { replaying = m; });
r.on('message', m => replayed.push(m.seq));
const end = await r.done;
say({event: 'replayed', fromTime: fromTime.getTime() * 1000, toTime, replaying, end, seqs: replayed, state: r.state});

// a replay in real time, cancelled after its first message
const slow = client.replay(['stocks.*'], {fromTime: fromTs, speed: 1});
slow.once('message', () => slow.cancel());
const stopped = await slow.done;
say({event: 'cancelled', end: stopped, state: slow.state, received: slow.received});

// the connection dies (no close frame) and the network is down for two seconds; then the connection
// dies again in the middle of the resume that follows (main's replay of those two seconds under way,
// traced's and throttled's not begun: their resume point is not main's highest seq)
let resumed = 0;
client.on('resumed', () => resumed++);
const beforeCut = live.length;
downUntil = Date.now() + 2000;
sockets.at(-1).terminate();
await until(() => welcomes >= 2, 'a reconnect');
const duringResume = live.length;
await until(() => live.length >= duringResume + 200, '200 messages of the resume');
sockets.at(-1).terminate();
say({event: 'cut-in-resume', received: live.length - duringResume, lastSeq: client.lastSeq, resumePoint: client.resumePoint});
await until(() => welcomes >= 3 && resumed >= 1 && live.length > beforeCut + 300, 'the second resume and 300 more');
say({event: 'restart-me', received: live.length, lastSeq: client.lastSeq, duplicates: client.stats.duplicates});

// the test restarts the server; the client reconnects (through refusals while it is down) and resumes
await until(() => resumed >= 2, 'a resume after the restart', 60000);
const afterRestart = live.length;
await until(() => live.length > afterRestart + 300, '300 more after the restart');
say({event: 'flowing', received: live.length, lastSeq: client.lastSeq});

const lines = createInterface({input: process.stdin});
for await (const line of lines) {
  const cmd = JSON.parse(line);
  if (cmd.cmd !== 'finish') continue;
  await until(() => client.lastSeq >= cmd.until && tsla.some(([seq]) => seq >= cmd.tsla), 'seq ' + cmd.until);
  writeFileSync(out, JSON.stringify({cut, live, tsla, snapshots, traced, tracedWithTrace, stages: stagesSeen,
    replayLeaks, closes, welcomes, lastSeq: client.lastSeq, resumePoint: client.resumePoint,
    stats: client.stats, reconnects: client.reconnects, features: client.features}));
  client.close();
  say({event: 'done', state: client.state});
  lines.close();
  break;
}
process.exit(0);
