/* Futures: one-shot outcome cells with done callbacks and refcounts.
 *
 * Completing a future never runs user code re-entrantly: each done callback
 * is queued on the loop (holding a reference to the future until it runs),
 * in registration order, as asyncio does with call_soon. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *wa__strdup(const char *s) {
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

char *wa__vformat(const char *fmt, va_list ap) {
    if (!fmt) return NULL;
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) return NULL;
    char *s = malloc((size_t)n + 1);
    if (s) vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

void wa__future_init(wa_future_t *f, uint8_t kind) {
    memset(f, 0, sizeof *f);
    f->refs = 1;
    f->kind = kind;
    wa__loop.live_futures++;
}

int wa_future_new(wa_future_t **out) {
    if (!out) return WA_EINVAL;
    wa_future_t *f = malloc(sizeof *f);
    if (!f) return WA_ENOMEM;
    wa__future_init(f, KIND_FUTURE);
    *out = f;
    return 0;
}

wa_future_t *wa_ref(wa_future_t *f) {
    if (f) f->refs++;
    return f;
}

static void default_report(wa_future_t *f, int code, const char *msg) {
    char buf[512];
    const char *name = wa_is_task(f) ? wa_task_name(f) : NULL;
    snprintf(buf, sizeof buf, "wasyncio: %s%s%s exception was never retrieved: %s (%d)%s%s",
             name ? "task '" : "future", name ? name : "", name ? "'" : "",
             wa_strerror(code), code, msg ? ": " : "", msg ? msg : "");
    wa_host_report(buf);
}

void wa__report_unretrieved(wa_future_t *f) {
    wa_loop_t *L = &wa__loop;
    if (L->exc_fn)
        L->exc_fn(f, f->code, f->message, L->exc_arg);
    else
        default_report(f, f->code, f->message);
}

void wa_set_exception_handler(wa_exception_handler_fn fn, void *arg) {
    wa__loop.exc_fn = fn;
    wa__loop.exc_arg = arg;
}

void wa_release(wa_future_t *f) {
    if (!f || --f->refs) return;
    if (f->state == FUT_ERROR && !(f->flags & FFLAG_RETRIEVED)) {
        f->refs = 1; /* keep it valid while the handler looks at it */
        wa__report_unretrieved(f);
        f->refs = 0;
    }
    if (f->fini) f->fini(f);
    if (f->dtor) f->dtor(f->result);
    free(f->message);
    free(f->cbs);
    wa__loop.live_futures--;
    if (f->kind != KIND_FUTURE) {
        wa__task_free_fields(TASK(f));
        wa__task_dealloc(TASK(f));
        return;
    }
    free(f);
}

static void run_cb_inline(void *a, void *b);

/* Schedule every registered callback of f, in order, each holding a ref. */
static void schedule_callbacks(wa_future_t *f) {
    if (f->ncb_inline) {
        f->refs++;
        /* The ring entry is (future, index): no allocation per callback. */
        if (wa__ready_push(run_cb_inline, f, (void *)(uintptr_t)0) != 0) f->refs--;
    }
    uint32_t n = f->cbs ? f->cbs->n : 0;
    for (uint32_t i = 0; i < n; i++) {
        f->refs++;
        if (wa__ready_push(run_cb_inline, f, (void *)(uintptr_t)(i + 1)) != 0) f->refs--;
    }
}

/* Runs callback #idx of f (0 = inline slot, k = cbs[k-1]). Callbacks removed
 * after scheduling have fn == NULL and are skipped. */
WA_NOT_ASYNCIFIED static void run_cb_inline(void *a, void *b) {
    wa_future_t *f = a;
    uintptr_t idx = (uintptr_t)b;
    wa_cb_t cb = idx == 0 ? f->cb0 : f->cbs->at[idx - 1];
    if (cb.fn) cb.fn(f, cb.arg);
    wa_release(f);
}

void wa__future_complete(wa_future_t *f, uint8_t state, int code, void *result,
                         wa_free_fn dtor, char *owned_msg) {
    f->state = state;
    f->code = state == FUT_OK ? 0 : state == FUT_CANCELLED ? WA_ECANCELLED : code;
    f->result = result;
    f->dtor = dtor;
    free(f->message);
    f->message = owned_msg;
    schedule_callbacks(f);
}

int wa_future_set_result(wa_future_t *f, void *value, wa_free_fn dtor) {
    if (!f || f->kind != KIND_FUTURE || (f->flags & FFLAG_OWNED)) return WA_EINVAL;
    if (f->state != FUT_PENDING) return WA_ESTATE;
    wa__future_complete(f, FUT_OK, 0, value, dtor, NULL);
    return 0;
}

int wa_future_set_error(wa_future_t *f, int code, const char *message) {
    if (!f || f->kind != KIND_FUTURE || (f->flags & FFLAG_OWNED) || code == 0 ||
        code == WA_ECANCELLED)
        return WA_EINVAL;
    if (f->state != FUT_PENDING) return WA_ESTATE;
    char *m = NULL;
    if (message && !(m = wa__strdup(message))) return WA_ENOMEM;
    wa__future_complete(f, FUT_ERROR, code, NULL, NULL, m);
    return 0;
}

int wa__future_cancel_plain(wa_future_t *f, const char *msg) {
    if (f->state != FUT_PENDING) return 0;
    wa__future_complete(f, FUT_CANCELLED, WA_ECANCELLED, NULL, NULL, wa__strdup(msg));
    return 1;
}

int wa_cancel(wa_future_t *f, const char *message) {
    if (!f) return WA_EINVAL;
    if (f->state != FUT_PENDING) return 0;
    if (f->kind != KIND_FUTURE) return wa__task_cancel(TASK(f), message);
    if (f->cancel_hook) return f->cancel_hook(f, message);
    return wa__future_cancel_plain(f, message);
}

bool wa_future_done(const wa_future_t *f) { return f && f->state != FUT_PENDING; }

bool wa_future_cancelled(const wa_future_t *f) { return f && f->state == FUT_CANCELLED; }

int wa_future_status(wa_future_t *f) {
    if (!f) return WA_EINVAL;
    if (f->state == FUT_PENDING) return WA_ESTATE;
    f->flags |= FFLAG_RETRIEVED;
    return f->code;
}

void *wa_future_result(const wa_future_t *f) {
    return f && f->state == FUT_OK ? f->result : NULL;
}

const char *wa_future_message(const wa_future_t *f) { return f ? f->message : NULL; }

int wa_future_add_done_callback(wa_future_t *f, wa_done_fn fn, void *arg) {
    if (!f || !fn) return WA_EINVAL;
    uintptr_t idx;
    if (!f->ncb_inline && !(f->cbs && f->cbs->n)) {
        f->cb0.fn = fn;
        f->cb0.arg = arg;
        f->ncb_inline = 1;
        idx = 0;
    } else {
        wa_cbvec_t *v = f->cbs;
        if (!v || v->n == v->cap) {
            uint32_t ncap = v ? v->cap * 2 : 4;
            wa_cbvec_t *nv = realloc(v, sizeof *nv + (size_t)ncap * sizeof(wa_cb_t));
            if (!nv) return WA_ENOMEM;
            if (!v) nv->n = 0;
            nv->cap = ncap;
            f->cbs = v = nv;
        }
        v->at[v->n].fn = fn;
        v->at[v->n].arg = arg;
        idx = ++v->n;
    }
    if (f->state != FUT_PENDING) {
        f->refs++;
        int rc = wa__ready_push(run_cb_inline, f, (void *)idx);
        if (rc) {
            f->refs--;
            if (idx == 0) f->ncb_inline = 0; else f->cbs->n--;
            return rc;
        }
    }
    return 0;
}

int wa_future_remove_done_callback(wa_future_t *f, wa_done_fn fn, void *arg) {
    if (!f || !fn) return WA_EINVAL;
    int n = 0;
    if (f->ncb_inline && f->cb0.fn == fn && f->cb0.arg == arg) {
        f->cb0.fn = NULL;
        n++;
    }
    wa_cbvec_t *v = f->cbs;
    uint32_t nv = v ? v->n : 0;
    for (uint32_t i = 0; i < nv; i++) {
        if (v->at[i].fn == fn && v->at[i].arg == arg) {
            v->at[i].fn = NULL;
            n++;
        }
    }
    if (n && f->state == FUT_PENDING) {
        /* Nothing is queued yet, so compact (keeping order); once done,
         * queued trampolines refer to indices and blanks are skipped. */
        uint32_t w = 0;
        for (uint32_t i = 0; i < nv; i++)
            if (v->at[i].fn) v->at[w++] = v->at[i];
        if (v) v->n = w;
        if (f->ncb_inline && !f->cb0.fn) {
            if (v && v->n) {
                f->cb0 = v->at[0];
                memmove(v->at, v->at + 1, (size_t)(--v->n) * sizeof *v->at);
            } else {
                f->ncb_inline = 0;
            }
        }
    }
    return n;
}
