// WebSocket for wasyncio's C API on the host (a --js-library; C side:
// runtime/src/websocket.c, interface: runtime/src/websocket_host.h).
//
// The socket is opened the way the JS connectWebSocket opens it:
// Module.wasyncioOpenWebSocket (set by the bindings' loader: the host's
// WebSocket, or on Node 20 the bindings' own RFC 6455 client), else the
// global WebSocket (a glue loaded without the bindings). Each socket is an
// entry in WAWs.table keyed by a small integer id: { ws (the C wa_ws_t*),
// sock, ac (AbortController of the opening), hwm, waiting (messages held
// back under backpressure: { token, data }), paused, overflow }. An entry
// is deleted when C lets go of it (wa_host_ws_free) or just before the
// close is reported; events for an id no longer in the table are ignored.
// Messages are copied into wasm memory as they come (C keeps the receive
// buffer); HEAPU8 is read again after every allocation.
mergeInto(LibraryManager.library, {
  $WAWs__postset: 'WAWs.table = new Map();',
  $WAWs: {
    table: null,
    nextId: 1,
    PENDING: -1000, // WA_WS_PENDING
    EINVAL: -3,
    EHOST: -13,
    ESHUTDOWN: -7,
    TEXT: 1,
    BINARY: 2,
    noop: function () {},
    newId: function () {
      var id;
      do {
        id = WAWs.nextId;
        WAWs.nextId = id >= 0x7ffffffe ? 1 : id + 1;
      } while (WAWs.table.has(id));
      return id;
    },
    live: function (id, e) {
      return WAWs.table.get(id) === e;
    },
    // A C copy of bytes (plus a NUL), or 0.
    copy: function (bytes) {
      var p = _wa__ws_alloc(bytes.length + 1);
      if (!p) return 0;
      HEAPU8.set(bytes, p);
      HEAPU8[p + bytes.length] = 0;
      return p;
    },
    cstr: function (s) {
      return WAWs.copy(new TextEncoder().encode(String(s)));
    },
    // The browser's WebSocket opened as the bindings' openHostSocket does
    // (used only when the glue was loaded without the bindings).
    openGlobal: function (url, protocols, signal) {
      return new Promise(function (resolve, reject) {
        var s = new WebSocket(url, protocols);
        s.binaryType = 'arraybuffer';
        signal.addEventListener('abort', function () { s.close(); reject(new Error('connect was aborted')); }, { once: true });
        s.onopen = function () {
          s._early = [];
          s._earlyClose = null;
          s.onmessage = function (ev) { s._early.push(ev.data); };
          s.onclose = function (ev) { s._earlyClose = ev; };
          resolve(s);
        };
        s.onerror = function () { reject(new Error('WebSocket ' + url + ': the connection failed')); };
      });
    },
    onOpen: function (id, e, sock) {
      if (!WAWs.live(id, e)) { try { sock.close(1001, ''); } catch (x) { /* closed */ } return; }
      e.sock = sock;
      sock.binaryType = 'arraybuffer';
      sock.onmessage = function (ev) { WAWs.onMessage(id, e, ev.data); };
      sock.onerror = WAWs.noop; // the close that follows says what happened
      sock.onclose = function (ev) { WAWs.onClose(id, e, ev.code, ev.reason || '', !!ev.wasClean); };
      _wa__ws_on_open(e.ws, id, sock.protocol ? WAWs.cstr(sock.protocol) : 0);
      // what came between the open and now
      var early = sock._early || [];
      var earlyClose = sock._earlyClose;
      sock._early = [];
      sock._earlyClose = null;
      for (var i = 0; i < early.length && WAWs.live(id, e); i++) WAWs.onMessage(id, e, early[i]);
      if (earlyClose) sock.onclose(earlyClose);
    },
    onMessage: function (id, e, data) {
      if (!WAWs.live(id, e)) return;
      var text = typeof data === 'string';
      var bytes = text ? new TextEncoder().encode(data) : new Uint8Array(data);
      if (e.paused && typeof e.sock.pause !== 'function' && ++e.overflow > e.maxQueue) {
        // browsers cannot stop reading: bounded as the JS binding is
        e.sock.close(1009, 'the receive buffer is full');
      }
      var p = WAWs.copy(bytes);
      _wa__ws_on_message(e.ws, id, text ? WAWs.TEXT : WAWs.BINARY, p, bytes.length);
    },
    onClose: function (id, e, code, reason, clean) {
      if (!WAWs.live(id, e)) return;
      WAWs.table.delete(id);
      e.waiting = [];
      _wa__ws_on_close(e.ws, id, code, WAWs.cstr(reason), clean ? 1 : 0);
    },
    onFail: function (id, e, err) {
      if (!WAWs.live(id, e)) return;
      WAWs.table.delete(id);
      var m = (err && err.message) || String(err);
      var c = err && err.cause;
      if (c && typeof c === 'object' && c.code && m.indexOf(c.code) < 0) m += ' (' + c.code + ')';
      if (err && err.code && m.indexOf(err.code) < 0) m += ' (' + err.code + ')';
      _wa__ws_on_close(e.ws, id, 1006, WAWs.cstr(m), 0);
    },
    // Send what waited while the send buffer is at or under the mark.
    flush: function (id, e) {
      e.draining = false;
      if (!WAWs.live(id, e) || e.sock.readyState !== 1) return;
      while (e.waiting.length && e.sock.bufferedAmount <= e.hwm) {
        var w = e.waiting.shift();
        e.sock.send(w.data);
        _wa__ws_on_sent(e.ws, id, w.token);
        if (!WAWs.live(id, e)) return;
      }
      if (e.waiting.length) WAWs.drain(id, e);
    },
    // Call flush once the send buffer may have drained: Node's socket says
    // when; browsers have no event for it, so look again in 10 ms (as the
    // JS binding does).
    drain: function (id, e) {
      if (e.draining) return;
      e.draining = true;
      if (typeof e.sock.drained === 'function') e.sock.drained().then(function () { WAWs.flush(id, e); });
      else setTimeout(function () { WAWs.flush(id, e); }, 10);
    },
  },

  wa_host_ws_connect__deps: ['$WAWs'],
  wa_host_ws_connect: function (ws, urlPtr, protoPtr, maxQueue) {
    var open = Module['wasyncioOpenWebSocket'];
    if (typeof open !== 'function') {
      if (typeof WebSocket !== 'function') return WAWs.EHOST;
      open = WAWs.openGlobal;
    }
    var url;
    try {
      var base = typeof location === 'object' && location && location.href ? location.href : undefined;
      url = new URL(UTF8ToString(urlPtr), base);
    } catch (x) {
      return WAWs.EINVAL;
    }
    if (url.protocol !== 'ws:' && url.protocol !== 'wss:') return WAWs.EINVAL;
    var ps = UTF8ToString(protoPtr);
    var protocols = ps ? ps.split(',') : [];
    var ac = new AbortController();
    var id = WAWs.newId();
    var e = { ws: ws, sock: null, ac: ac, hwm: 0, waiting: [], paused: false, overflow: 0, maxQueue: maxQueue >>> 0, draining: false };
    WAWs.table.set(id, e);
    var p;
    try {
      p = Promise.resolve(open(url.href, protocols, ac.signal));
    } catch (err) {
      WAWs.table.delete(id); // the URL was checked: this host cannot open sockets
      return WAWs.EHOST;
    }
    p.then(function (sock) { WAWs.onOpen(id, e, sock); },
           function (err) { WAWs.onFail(id, e, err); });
    return id;
  },

  wa_host_ws_send__deps: ['$WAWs'],
  wa_host_ws_send: function (id, type, ptr, len, hwm, token) {
    var e = WAWs.table.get(id);
    if (!e || !e.sock || e.sock.readyState !== 1) return WAWs.ESHUTDOWN;
    var bytes = HEAPU8.slice(ptr, ptr + len); // a copy
    var data = type === WAWs.TEXT ? new TextDecoder().decode(bytes) : bytes;
    e.hwm = hwm;
    if (!e.waiting.length && e.sock.bufferedAmount <= hwm) {
      e.sock.send(data);
      return 0;
    }
    e.waiting.push({ token: token, data: data });
    WAWs.drain(id, e);
    return WAWs.PENDING;
  },

  wa_host_ws_send_cancel__deps: ['$WAWs'],
  wa_host_ws_send_cancel: function (id, token) {
    var e = WAWs.table.get(id);
    if (!e) return;
    e.waiting = e.waiting.filter(function (w) { return w.token !== token; });
  },

  wa_host_ws_pause__deps: ['$WAWs'],
  wa_host_ws_pause: function (id, paused) {
    var e = WAWs.table.get(id);
    if (!e || !e.sock) return;
    e.paused = !!paused;
    e.overflow = 0;
    if (typeof e.sock.pause === 'function') {
      if (paused) e.sock.pause();
      else e.sock.resume();
    }
  },

  wa_host_ws_close__deps: ['$WAWs'],
  wa_host_ws_close: function (id, code, reasonPtr) {
    var e = WAWs.table.get(id);
    if (!e || !e.sock) return;
    // a paused socket must read on, or the peer's close frame never comes
    if (e.paused && typeof e.sock.resume === 'function') e.sock.resume();
    e.sock.close(code, UTF8ToString(reasonPtr));
  },

  wa_host_ws_free__deps: ['$WAWs'],
  wa_host_ws_free: function (id, code) {
    var e = WAWs.table.get(id);
    if (!e) return;
    WAWs.table.delete(id);
    e.waiting = [];
    e.ac.abort();
    if (e.sock) {
      e.sock.onmessage = null;
      e.sock.onclose = null;
      if (typeof e.sock.resume === 'function') e.sock.resume();
      try { e.sock.close(code, ''); } catch (x) { /* closed already */ }
    }
  },

  wa_host_ws_handles__deps: ['$WAWs'],
  wa_host_ws_handles: function () {
    return WAWs.table.size;
  },
});
