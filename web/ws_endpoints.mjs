// The dev server's WebSocket endpoints (the demos and the browser tests),
// on the package's own RFC 6455 server side (bindings/ws_node.js):
//
//   /ws/echo          every message back as it came (text or binary); the
//                     text "close CODE REASON" makes the server close with
//                     that code and reason instead.
//   /ws/chat?room=R&name=N
//                     a chat room: every text message goes to everyone in
//                     room R (the sender too) as JSON { type: 'message',
//                     from, text, at }; joins and leaves as { type: 'join' |
//                     'leave', name, members }.
//
// Bounded like the HTTP endpoints: messages up to 64 KiB, at most
// MAX_SOCKETS open sockets, names and rooms up to 40 characters. Only
// same-origin pages may connect (browsers send Origin; WebSocket has no
// CORS), which keeps other sites' pages out of a server left running.
import { acceptNode } from '../bindings/ws_node.js';

const MAX_SOCKETS = 256;
const MAX_MESSAGE = 64 * 1024;

/** Refuse an upgrade with an HTTP status. */
function refuse(socket, status, text) {
  socket.end(`HTTP/1.1 ${status}\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n${text}\n`);
}

/**
 * The WebSocket endpoints of one server: upgrade(req, socket, head, url)
 * answers an upgrade request (false: not one of these paths); closeAll()
 * ends every open socket (an http.Server's close does not see upgraded ones).
 */
export function createWsEndpoints() {
  /** open WebSocket -> its net.Socket */
  const open = new Map();
  /** room name -> Map(socket -> member name) */
  const rooms = new Map();

  function echo(ws) {
    ws.onmessage = ({ data }) => {
      const m = typeof data === 'string' && /^close (\d{4})(?: (.*))?$/s.exec(data);
      if (m) ws.close(Number(m[1]), m[2] ?? '');
      else ws.send(data);
    };
  }

  function chat(ws, url) {
    const room = (url.searchParams.get('room') || 'lobby').slice(0, 40);
    const name = (url.searchParams.get('name') || 'guest').slice(0, 40);
    if (!rooms.has(room)) rooms.set(room, new Map());
    const members = rooms.get(room);
    const broadcast = (msg) => {
      const text = JSON.stringify(msg);
      for (const s of members.keys()) if (s.readyState === 1) s.send(text);
    };
    members.set(ws, name);
    broadcast({ type: 'join', name, members: [...members.values()] });
    ws.onmessage = ({ data }) => {
      if (typeof data !== 'string') return ws.close(1003, 'text messages only');
      broadcast({ type: 'message', from: name, text: data, at: Date.now() });
    };
    return () => {
      members.delete(ws);
      if (members.size === 0) rooms.delete(room);
      else broadcast({ type: 'leave', name, members: [...members.values()] });
    };
  }

  const ROUTES = new Map([['/ws/echo', echo], ['/ws/chat', chat]]);

  function closeAll() {
    for (const socket of open.values()) socket.destroy();
  }

  function upgrade(req, socket, head, url) {
    const route = ROUTES.get(url.pathname);
    if (!route) return false;
    const origin = req.headers.origin;
    if (origin !== undefined) {
      let host = null;
      try { host = new URL(origin).host; } catch { /* malformed: refused */ }
      if (host !== req.headers.host) {
        refuse(socket, '403 Forbidden', 'cross-origin WebSocket refused');
        return true;
      }
    }
    if (open.size >= MAX_SOCKETS) {
      refuse(socket, '503 Service Unavailable', 'too many WebSockets');
      return true;
    }
    const ws = acceptNode(req, socket, head, { maxMessage: MAX_MESSAGE });
    if (!ws) return true;
    open.set(ws, socket);
    const leave = route(ws, url);
    ws.onerror = () => {}; // the close that follows says what happened
    ws.onclose = () => {
      open.delete(ws);
      leave?.();
    };
    return true;
  }

  return { upgrade, closeAll };
}
