// fetch for wasyncio on the host's event loop (a --js-library; C side:
// runtime/src/fetch.c, interface: runtime/src/fetch_host.h).
//
// Works wherever a global fetch() is: browser windows, Web Workers, Node 18+.
// Each request is an entry in WAFetch.table keyed by a small integer id:
// { r (the C wa_response_t*), ctrl (AbortController), res (Response),
//   reader (ReadableStreamDefaultReader), chunk/off (the unread rest of the
//   last chunk) }. An entry is deleted on every path: by C through
//   wa_host_fetch_abort, or here just before reporting a terminal event
//   (failure, end of body, whole body). A promise that settles for an id no
//   longer in the table (or now another entry) is ignored, so C never hears
//   about a request it has let go of.
//
// Completions enter C through the exported _wa__fetch_on_* functions, which
// only complete futures (callbacks are queued, the loop wakes by itself):
// no user code runs inside them. Bytes are copied into wasm memory; memory
// can grow during any call into C (_wa__fetch_alloc), so HEAPU8 is read
// again after each such call, never kept across it.
mergeInto(LibraryManager.library, {
  // Library objects are serialised as source text: a Map must be made here.
  $WAFetch__postset: 'WAFetch.table = new Map();',
  $WAFetch: {
    table: null,
    nextId: 1,
    PENDING: -1000, // WA_FETCH_PENDING
    EINVAL: -3,
    ENOMEM: -4,
    ENETWORK: -12,
    EHOST: -13,
    ETOOBIG: -22,
    noop: function () {},
    newId: function () {
      var id;
      do {
        id = WAFetch.nextId;
        WAFetch.nextId = id >= 0x7ffffffe ? 1 : id + 1;
      } while (WAFetch.table.has(id));
      return id;
    },
    // Is e still the live entry for id?
    live: function (id, e) {
      return WAFetch.table.get(id) === e;
    },
    // Release the host objects of an entry (already out of the table).
    dispose: function (e) {
      if (e.reader) {
        try { e.reader.cancel().catch(WAFetch.noop); } catch (x) { /* released */ }
      }
      try { e.ctrl.abort(); } catch (x) { /* already aborted */ }
      e.chunk = null;
      e.reader = null;
      e.res = null;
    },
    // A C string copy of s in wasm memory (C frees it), or 0.
    cstr: function (s) {
      var bytes = new TextEncoder().encode(s);
      var p = _wa__fetch_alloc(bytes.length + 1);
      if (!p) return 0;
      HEAPU8.set(bytes, p);
      HEAPU8[p + bytes.length] = 0;
      return p;
    },
    describe: function (e) {
      if (!e) return 'network error';
      var m = (e.name && e.name !== 'Error' && e.name !== 'TypeError' ? e.name + ': ' : '') + (e.message || String(e));
      var c = e.cause;
      if (c && typeof c === 'object') {
        var cm = (c.code ? c.code + ' ' : '') + (c.message || '');
        if (cm && m.indexOf(cm) < 0) m += ' (' + cm.trim() + ')';
      }
      return m;
    },
    // Terminal failure of entry e (still in the table): end it, tell C.
    fail: function (id, e, err, code) {
      if (!WAFetch.live(id, e)) return;
      WAFetch.table.delete(id);
      WAFetch.dispose(e);
      var msg = WAFetch.cstr(WAFetch.describe(err));
      _wa__fetch_on_error(e.r, id, code || WAFetch.ENETWORK, msg);
    },
    onResponse: function (id, e, res) {
      if (!WAFetch.live(id, e)) return;
      e.res = res;
      var strs = [res.statusText || '', res.url || '', res.type || ''];
      res.headers.forEach(function (value, name) { strs.push(name, value); });
      var enc = new TextEncoder();
      var parts = [];
      var total = 0;
      for (var i = 0; i < strs.length; i++) {
        var b = enc.encode(String(strs[i]).replace(/\0/g, ''));
        parts.push(b);
        total += b.length + 1;
      }
      var p = _wa__fetch_alloc(total);
      if (!p) {
        WAFetch.fail(id, e, new Error('out of memory receiving a response'), WAFetch.ENOMEM);
        return;
      }
      var heap = HEAPU8; // fresh after the allocation
      var q = p;
      for (var k = 0; k < parts.length; k++) {
        heap.set(parts[k], q);
        q += parts[k].length;
        heap[q++] = 0;
      }
      _wa__fetch_on_response(e.r, id, res.status, res.redirected ? 1 : 0, p, total);
    },
    // Copy up to cap bytes of e's buffered chunk to buf; returns the count.
    take: function (e, buf, cap) {
      var n = Math.min(cap, e.chunk.length - e.off);
      HEAPU8.set(e.chunk.subarray(e.off, e.off + n), buf);
      e.off += n;
      if (e.off >= e.chunk.length) {
        e.chunk = null;
        e.off = 0;
      }
      return n;
    },
    reader: function (e) {
      if (!e.reader) e.reader = e.res.body.getReader();
      return e.reader;
    },
    // End of body for entry e: end it (C is told by the caller).
    finish: function (id, e) {
      WAFetch.table.delete(id);
      e.reader = null; // fully read: nothing to cancel
      WAFetch.dispose(e);
    },
  },

  wa_host_fetch_start__deps: ['$WAFetch'],
  wa_host_fetch_start: function (r, urlPtr, methodPtr, hdrPtr, nhdr, bodyPtr, bodyLen, redirect) {
    if (typeof fetch !== 'function' || typeof AbortController !== 'function') return WAFetch.EHOST;
    var url = UTF8ToString(urlPtr);
    var init = {
      method: UTF8ToString(methodPtr),
      redirect: ['follow', 'error', 'manual'][redirect] || 'follow',
    };
    var ctrl = new AbortController();
    var req;
    try {
      var headers = new Headers();
      for (var i = 0; i < nhdr; i++) {
        var base = (hdrPtr >> 2) + 2 * i; // wa_header_t { const char *name, *value; }
        headers.append(UTF8ToString(HEAPU32[base]), UTF8ToString(HEAPU32[base + 1]));
      }
      init.headers = headers;
      if (bodyLen > 0) init.body = HEAPU8.slice(bodyPtr, bodyPtr + bodyLen); // a copy
      init.signal = ctrl.signal;
      req = new Request(url, init); // validates URL, method, headers, body as fetch() would
    } catch (err) {
      return WAFetch.EINVAL;
    }
    var id = WAFetch.newId();
    var e = { r: r, ctrl: ctrl, res: null, reader: null, chunk: null, off: 0 };
    WAFetch.table.set(id, e);
    var p;
    try {
      p = fetch(req);
    } catch (err) {
      WAFetch.table.delete(id);
      return WAFetch.EINVAL;
    }
    p.then(function (res) { WAFetch.onResponse(id, e, res); },
           function (err) { WAFetch.fail(id, e, err); });
    return id;
  },

  wa_host_fetch_read__deps: ['$WAFetch'],
  wa_host_fetch_read: function (id, buf, cap) {
    var e = WAFetch.table.get(id);
    if (!e || !e.res) return WAFetch.EINVAL;
    if (e.chunk) return WAFetch.take(e, buf, cap);
    if (!e.res.body) { // no body (HEAD, 204, opaque ...): the end at once
      WAFetch.finish(id, e);
      return 0;
    }
    var pump = function () {
      WAFetch.reader(e).read().then(function (step) {
        if (!WAFetch.live(id, e)) return;
        if (step.done) {
          WAFetch.finish(id, e);
          _wa__fetch_on_read(e.r, id, 0);
          return;
        }
        var v = step.value;
        if (!v || !v.length) { pump(); return; } // skip empty chunks
        e.chunk = v instanceof Uint8Array ? v : new Uint8Array(v);
        e.off = 0;
        _wa__fetch_on_read(e.r, id, WAFetch.take(e, buf, cap));
      }, function (err) { WAFetch.fail(id, e, err); });
    };
    pump();
    return WAFetch.PENDING;
  },

  wa_host_fetch_body__deps: ['$WAFetch'],
  wa_host_fetch_body: function (id, max) {
    var e = WAFetch.table.get(id);
    if (!e || !e.res) return WAFetch.EINVAL;
    max = max >>> 0; // a size_t; 0xffffffff (SIZE_MAX): no limit
    var unlimited = max === 0xffffffff;
    // Past max: abort the request and fail (counted as delivered, i.e. after
    // decompression, so a small gzip bomb stops at max too).
    var tooBig = function () {
      parts = null;
      WAFetch.fail(id, e, new Error('the body is over max_body (' + max + ' bytes)'), WAFetch.ETOOBIG);
    };
    var parts = [];
    var total = 0;
    if (!unlimited && e.res.body && !e.reader && !e.chunk) {
      // nothing read yet: a declared plain length over max fails at once
      var declared = Number(e.res.headers.get('content-length'));
      var coding = e.res.headers.get('content-encoding');
      if (declared > max && (!coding || coding === 'identity')) {
        Promise.resolve().then(tooBig); // C attaches its op when this returns
        return WAFetch.PENDING;
      }
    }
    if (e.chunk) {
      parts.push(e.chunk.subarray(e.off));
      total += e.chunk.length - e.off;
      e.chunk = null;
      e.off = 0;
    }
    var done = function () {
      if (!WAFetch.live(id, e)) return;
      if (!unlimited && total > max) { tooBig(); return; } // the rest of a chunk read before
      WAFetch.finish(id, e);
      var p = _wa__fetch_alloc(total + 1);
      if (!p) {
        _wa__fetch_on_error(e.r, id, WAFetch.ENOMEM, 0);
        return;
      }
      var heap = HEAPU8; // fresh after the allocation
      var q = p;
      for (var i = 0; i < parts.length; i++) {
        heap.set(parts[i], q);
        q += parts[i].length;
      }
      heap[q] = 0;
      parts = null;
      _wa__fetch_on_body(e.r, id, p, total);
    };
    if (!e.res.body) {
      Promise.resolve().then(done);
      return WAFetch.PENDING;
    }
    var pump = function () {
      WAFetch.reader(e).read().then(function (step) {
        if (!WAFetch.live(id, e)) return;
        if (step.done) { done(); return; }
        var v = step.value;
        if (v && v.length) {
          total += v.length;
          if (!unlimited && total > max) { tooBig(); return; }
          parts.push(v instanceof Uint8Array ? v : new Uint8Array(v));
        }
        pump();
      }, function (err) { WAFetch.fail(id, e, err); });
    };
    pump();
    return WAFetch.PENDING;
  },

  wa_host_fetch_abort__deps: ['$WAFetch'],
  wa_host_fetch_abort: function (id) {
    var e = WAFetch.table.get(id);
    if (!e) return;
    WAFetch.table.delete(id);
    WAFetch.dispose(e);
  },

  wa_host_fetch_handles__deps: ['$WAFetch'],
  wa_host_fetch_handles: function () {
    return WAFetch.table.size;
  },
});
