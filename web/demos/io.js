// Demo: the I/O of the asyncio tutorials in a browser tab, JS tasks on the
// default runtime. A chat over WebSocket with the dev server (/ws/chat, see
// web/ws_endpoints.mjs): your connection and a bot's, each read by a task
// in `for await`; the bot answers every message. A crawler: one task per
// page of /links/{n}/..., fetched through a ClientSession with a per-host
// limit and retry(), saved to the Origin Private File System with
// files.writeFile(), then listed and stat()ed back. Both show on one
// timeline. ?autorun=1 runs the scripted chat and the crawl at once.
import {
  ready, createTask, gather, connectWebSocket, ClientSession, retry, files, Queue,
} from '/bindings/index.js';
import {
  autorun, controls, status, done, undone, catchErrors, Timeline, fmtMs, metric, query,
} from '/demos/common.js';

catchErrors();
const rt = await ready();
const readChat = controls(document.getElementById('chat-form'));
const readCrawl = controls(document.getElementById('crawl-form'));
const $ = (id) => document.getElementById(id);
// the helpers' own tasks (each WebSocket receive, each retry attempt ...) would crowd the picture
const tl = new Timeline($('timeline'), {
  title: 'one row per task: chat readers, the bot, the crawl and its pages',
  filter: (t) => !/^(Task-\d+|WebSocket (next|receive)|retry)$/.test(t.name),
}).attach(rt);
fetch('/demos/io.js').then((r) => r.text()).then((t) => { $('src').textContent = t; }, () => {});

// --- chat -------------------------------------------------------------------
const ROOM = (query.get('room') || 'demo').slice(0, 40);
const chatUrl = (name) => `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws/chat?room=${encodeURIComponent(ROOM)}&name=${encodeURIComponent(name)}`;
let me = null; // your WebSocketConnection
let myName = 'you';
const replies = new Queue({ runtime: rt }); // the bot's answers to you, for the script
const chat = { sent: 0, ownEchoes: 0, botReplies: 0, roundTrips: [] };
let botHere;
const botPresent = new Promise((resolve) => { botHere = resolve; }); // the bot is in the room

function showChat(m) {
  const li = document.createElement('li');
  const who = document.createElement('b');
  if (m.type === 'message') {
    who.textContent = m.from;
    li.append(who, ` ${m.text}`);
    li.className = m.from === 'bot' ? 'bot' : m.from === myName ? 'mine' : '';
  } else {
    who.textContent = m.name;
    li.append(who, m.type === 'join' ? ' joined' : ' left', ` (in the room: ${m.members.join(', ')})`);
    li.className = 'notice';
  }
  $('chat-log').append(li);
  li.scrollIntoView({ block: 'nearest' });
}

/** The bot: a second connection that answers every message but its own. */
async function bot() {
  const ws = await connectWebSocket(chatUrl('bot'));
  for await (const raw of ws) {
    const m = JSON.parse(raw);
    if (m.type === 'message' && m.from !== 'bot') await ws.send(`got “${m.text}” from ${m.from}`);
  }
}

/** Your connection: shows everything the room says. */
async function join() {
  myName = String(readChat().name).trim() || 'you';
  if (myName === 'bot') myName = 'you';
  me = await connectWebSocket(chatUrl(myName));
  $('send').disabled = false;
  $('leave').disabled = false;
  $('chat-status').textContent = `in room “${ROOM}” as ${myName}`;
  createTask(async () => {
    for await (const raw of me) {
      const m = JSON.parse(raw);
      showChat(m);
      if (m.members?.includes('bot')) botHere();
      if (m.type !== 'message') continue;
      if (m.from === myName) chat.ownEchoes++;
      if (m.from === 'bot' && m.text.endsWith(`from ${myName}`)) {
        chat.botReplies++;
        replies.putNowait(m.text);
      }
    }
    $('chat-status').textContent = `left (${me.closeInfo?.code})`;
    $('send').disabled = true;
    $('leave').disabled = true;
  }, { name: `chat: ${myName} reads` });
}

async function send(text) {
  const t0 = rt.time();
  await me.send(text);
  chat.sent++;
  await replies.get(); // the bot's answer came back through the server
  chat.roundTrips.push(rt.time() - t0);
}

/** n messages, each waiting for the bot's answer. */
async function script(n) {
  await botPresent;
  for (let i = 1; i <= n; i++) await send(`message ${i} of ${n}`);
}

// --- crawler ----------------------------------------------------------------
const DIR = 'wasyncio-demo-crawl';
let crawlTask = null;

async function crawl({ pages, concurrency }) {
  const t0 = rt.time();
  if (await files.exists(DIR)) await files.remove(DIR, { recursive: true });
  await files.mkdir(DIR, { recursive: true });
  const session = new ClientSession({ baseUrl: location.origin + '/', limitPerHost: concurrency, timeout: { total: 10_000 } });
  const seen = new Set([0]);
  const links = new Map();
  let frontier = [0];
  const tag = `io${Date.now().toString(36)}`; // the server counts this crawl's requests (/stats)
  let retries = 0;
  try {
    while (frontier.length) {
      // one generator task per page: fetch (retried), save, parse its links
      const found = await gather(frontier.map((i) => createTask(function* page() {
        const html = yield retry(function* get() {
          const r = yield session.get(`links/${pages}/${i}`, { params: { tag } });
          if (!r.ok) return r; // retry() retries 429 and 5xx, returns the rest
          return yield r.text();
        }, { attempts: 3, baseDelay: 50, onRetry: () => { retries++; } });
        if (typeof html !== 'string') throw new Error(`page ${i}: HTTP ${html.status}`);
        yield files.writeFile(`${DIR}/page-${String(i).padStart(3, '0')}.html`, html);
        const out = [...html.matchAll(/href="\/links\/\d+\/(\d+)"/g)].map((m) => Number(m[1]));
        links.set(i, out.length);
        return out;
      }, { name: `page ${i}` })));
      frontier = [];
      for (const list of found) for (const j of list) if (!seen.has(j)) { seen.add(j); frontier.push(j); }
    }
  } finally {
    session.close();
  }
  // what is in OPFS now, as the files API reads it back
  const names = await files.list(DIR);
  const saved = [];
  for (const name of names) {
    const st = await files.stat(`${DIR}/${name}`);
    saved.push({ name, bytes: st.size, links: links.get(Number(name.slice(5, 8))) });
  }
  const ms = rt.time() - t0;
  const server = await (await globalThis.fetch(`/stats?tag=${tag}`)).json(); // the last await: the platform's fetch
  return { ms, pages, concurrency, peak: server.maxActive, requests: server.started, retries, saved };
}

function showCrawl(r) {
  const bytes = r.saved.reduce((s, f) => s + f.bytes, 0);
  $('metrics').replaceChildren(
    metric('total time', fmtMs(r.ms)),
    metric('pages saved', `${r.saved.length} / ${r.pages}`, r.saved.length === r.pages ? 'ok' : 'err'),
    metric('bytes in OPFS', String(bytes)),
    metric(`most requests at once, at the server (limit ${r.concurrency})`, String(r.peak), r.peak > r.concurrency ? 'err' : ''),
    metric('retries', String(r.retries)),
  );
  $('files-table').querySelector('tbody').replaceChildren(...r.saved.map((f) => {
    const tr = document.createElement('tr');
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = f.name;
    tr.append(th);
    for (const v of [f.bytes, f.links ?? '–']) {
      const td = document.createElement('td');
      td.className = 'num';
      td.textContent = String(v);
      tr.append(td);
    }
    return tr;
  }));
}

async function runCrawl() {
  const p = readCrawl();
  const params = { pages: Math.min(100, Math.max(2, +p.pages || 12)), concurrency: Math.min(20, Math.max(1, +p.concurrency || 3)) };
  $('crawl').disabled = true;
  $('stop').disabled = false;
  status('crawling…');
  crawlTask = createTask(() => crawl(params), { name: 'crawl' });
  try {
    const r = await crawlTask;
    showCrawl(r);
    status(`saved ${r.saved.length} pages to OPFS in ${fmtMs(r.ms)}`, 'ok');
    return r;
  } catch (e) {
    status(e?.name === 'CancelledError' ? 'stopped' : `error: ${e?.message ?? e}`, e?.name === 'CancelledError' ? '' : 'err');
    throw e;
  } finally {
    crawlTask = null;
    $('crawl').disabled = false;
    $('stop').disabled = true;
  }
}

// --- wiring -----------------------------------------------------------------
$('dir').textContent = `${DIR}/`;
$('send').addEventListener('click', () => {
  const text = String(readChat().text).trim();
  if (text && me && !me.closeInfo) send(text).catch((e) => { $('chat-status').textContent = `error: ${e.message}`; });
});
$('script').addEventListener('click', () => script(+readChat().messages || 4).catch((e) => { $('chat-status').textContent = `error: ${e.message}`; }));
$('leave').addEventListener('click', () => me?.close(1000, 'bye'));
$('crawl').addEventListener('click', () => runCrawl().catch(() => {}));
$('stop').addEventListener('click', () => crawlTask?.cancel('stopped from the page'));

tl.start();
createTask(bot, { name: 'chat: bot' });
await join();
status('ready: press “Crawl”.');

autorun(async () => {
  undone();
  const n = Math.min(50, Math.max(1, +readChat().messages || 4));
  const [, crawled] = await gather(script(n), runCrawl());
  tl.stop();
  done({
    chat: { ...chat, log: [...$('chat-log').children].map((li) => li.textContent) },
    crawl: crawled,
    timeline: tl.counts(),
  });
});
