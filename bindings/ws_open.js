// Opening a WebSocket on this host, for connectWebSocket (websocket.js) and
// for C programs (the loader hands openSocket to the Emscripten module as
// Module.wasyncioOpenWebSocket; runtime/host/emscripten/library_websocket.js
// uses it): the host's WebSocket (browsers, Node 22+), or on Node 20, which
// has no stable global one, ws_node.js (through #platform: browser bundles
// never load it). Resolves to an open socket that
// keeps what comes before anyone listens in _early / _earlyClose.
import { CancelledError } from './errors.js';
import { connectNode } from '#platform';

function openHostSocket(url, protocols, signal) {
  return new Promise((resolve, reject) => {
    const ws = new globalThis.WebSocket(url, protocols);
    ws.binaryType = 'arraybuffer';
    const onAbort = () => { ws.close(); reject(new CancelledError('connect was aborted')); };
    signal?.addEventListener('abort', onAbort, { once: true });
    ws.onopen = () => {
      signal?.removeEventListener('abort', onAbort);
      // keep what comes before WebSocketConnection listens (websocket.js replays it)
      ws._early = [];
      ws._earlyClose = null;
      ws.onmessage = (ev) => ws._early.push(ev.data);
      ws.onclose = (ev) => { ws._earlyClose = ev; };
      resolve(ws);
    };
    ws.onerror = () => { signal?.removeEventListener('abort', onAbort); reject(new Error(`WebSocket ${url}: the connection failed`)); };
  });
}

/**
 * Open a WebSocket: resolves to the open socket; rejects if it cannot be
 * opened or signal aborts first.
 * @param {string} url ws: or wss: (absolute)
 * @param {string[]} protocols
 * @param {AbortSignal} [signal]
 * @param {Record<string, string>} [headers] extra handshake headers (Node only)
 */
export function openSocket(url, protocols, signal, headers) {
  return typeof globalThis.WebSocket === 'function'
    ? openHostSocket(url, protocols, signal)
    : connectNode(url, { protocols, signal, headers });
}
