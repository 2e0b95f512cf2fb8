/* Demo 6: timeouts, cancellation, shield and TaskGroup failure propagation.
 *
 * Three small programs; the page starts one at a time with runtime.spawnC
 * and has buttons that cancel tasks by name while they run (a Task's
 * cancel(), which is wa_cancel). The timeline shows what follows.
 *
 *  timeouts     jobs of different lengths, each under wait_for(job, limit):
 *               a job still running at the deadline is cancelled and its
 *               waiter gets WA_ETIMEDOUT. One more job runs its work inside
 *               a timeout scope (asyncio.timeout) and, when it expires,
 *               saves what it has and ends normally; the page can push its
 *               deadline back (wa_timeout_reschedule).
 *  shield       a request handler saves a record (shielded) and sends a
 *               notification (not shielded), and awaits both. Cancelling
 *               the handler cancels the notification but not the save.
 *               Cancelling the save itself does cancel it: shield protects
 *               from the waiter's cancellation, not from a direct one.
 *  group        a TaskGroup of four fetches. One can be set to fail: its
 *               failure cancels its siblings and the group reports it
 *               (WA_EGROUP, asyncio's ExceptionGroup). Cancelling a child
 *               cancels only that child; cancelling the owner cancels all. */
#include "demo.h"

static const char *outcome(int st) {
    return st == 0 ? "done" : st == WA_ECANCELLED ? "cancelled" : st == WA_ETIMEDOUT ? "timed out" : "failed";
}

/* ---- timeouts ------------------------------------------------------------- */

static int job(void *arg) {
    const double *ms = arg;
    return wa_sleep(*ms); /* the work */
}

static wa_timeout_t *live_scope; /* the scoped job's scope while entered */

/* Called by the page: move the scoped job's deadline by ms. */
__attribute__((used)) int extend_deadline(double ms) {
    if (!live_scope || wa_timeout_expired(live_scope)) return WA_ESTATE;
    int rc = wa_timeout_reschedule(live_scope, wa_timeout_when(live_scope) + ms);
    if (rc == 0) report("{\"ev\":\"deadline\",\"when\":%.3f}", wa_timeout_when(live_scope));
    return rc;
}

typedef struct {
    double work, limit;
    double done_steps, steps;
} scoped_t;

/* Works in 10 steps inside a timeout scope; at the deadline keeps what it
 * has done and returns normally (the timeout is handled, not propagated). */
static int scoped_job(void *arg) {
    scoped_t *s = arg;
    wa_timeout_t scope;
    int rc = wa_timeout_enter(&scope, s->limit);
    if (rc) return rc;
    live_scope = &scope;
    report("{\"ev\":\"deadline\",\"when\":%.3f}", wa_timeout_when(&scope));
    for (s->done_steps = 0; rc == 0 && s->done_steps < s->steps;) {
        rc = wa_sleep(s->work / s->steps);
        if (rc == 0) s->done_steps++;
    }
    live_scope = NULL;
    rc = wa_timeout_exit(&scope, rc); /* our own deadline: WA_ECANCELLED -> WA_ETIMEDOUT */
    if (rc == WA_ETIMEDOUT) return wa_return_number(s->done_steps); /* partial result */
    if (rc) return rc;
    return wa_return_number(s->done_steps);
}

static int timeouts(void *argp) {
    const wa_value_t *arg = argp;
    double limit = param_num(arg, "limit", 1000, 1, 60000);
    double works[3] = {param_num(arg, "a", 300, 0, 60000), param_num(arg, "b", 900, 0, 60000),
                       param_num(arg, "c", 1500, 0, 60000)};
    scoped_t sc = {.work = param_num(arg, "scoped", 2000, 0, 60000), .limit = limit, .steps = 10};
    wa_task_t *t[4] = {0};
    wa_future_t *w[4] = {0};
    int rc = 0;
    for (int i = 0; i < 3 && rc == 0; i++) {
        char name[32];
        snprintf(name, sizeof name, "job %.0f ms", works[i]);
        wa_task_opts_t o = {.name = name};
        rc = wa_spawn(&t[i], job, &works[i], &o);
        if (rc == 0) rc = wa_wait_for_start(&w[i], t[i], limit); /* wait_for(job, limit) */
    }
    wa_task_opts_t so = {.name = "scoped job", .stack_size = 32 * 1024};
    if (rc == 0) rc = wa_spawn(&t[3], scoped_job, &sc, &so);
    if (rc == 0) rc = wa_ref(t[3]) ? 0 : WA_EINVAL;
    if (rc == 0) w[3] = t[3]; /* awaited as it is: it handles its own deadline */
    wa_future_t *all = NULL;
    if (rc == 0) rc = wa_gather(&all, w, 4, WA_RETURN_EXCEPTIONS);
    if (rc == 0) rc = wa_await(all);
    wa_release(all);
    if (rc) cancel_and_wait(t, 4);
    for (int i = 0; i < 4; i++) {
        if (!w[i]) continue;
        int st = wa_future_status(w[i]);
        wa_future_status(t[i]);
        if (i < 3)
            report("{\"ev\":\"result\",\"name\":\"job %.0f ms\",\"outcome\":\"%s\"}", works[i], outcome(st));
        else
            report("{\"ev\":\"result\",\"name\":\"scoped job\",\"outcome\":\"%s\",\"steps\":%.0f}",
                   st == 0 && sc.done_steps < sc.steps ? "timed out, kept partial result" : outcome(st),
                   sc.done_steps);
    }
    for (int i = 0; i < 4; i++) {
        wa_release(w[i]);
        wa_release(t[i]);
    }
    return rc;
}
WA_EXPORT_CORO(timeouts)

/* ---- shield ---------------------------------------------------------------- */

typedef struct {
    wa_task_t *save;
    double notify_ms;
    int notify_status;
} handler_t;

static int sleeper(void *arg) {
    const double *ms = arg;
    return wa_sleep(*ms);
}

static int handler(void *arg) {
    handler_t *h = arg;
    wa_future_t *shielded = NULL, *all = NULL;
    wa_task_t *notify = NULL;
    wa_task_opts_t o = {.name = "notify"};
    int rc = wa_shield(&shielded, h->save); /* cancelling us will not cancel the save */
    if (rc == 0) rc = wa_spawn(&notify, sleeper, &h->notify_ms, &o);
    wa_future_t *both[2] = {shielded, notify};
    if (rc == 0) rc = wa_gather(&all, both, 2, 0);
    if (rc == 0) rc = wa_await(all); /* cancelled: the gather cancels shielded and notify */
    if (notify) {
        while (!wa_future_done(notify)) wa_await(notify);
        h->notify_status = wa_future_status(notify);
    }
    wa_release(all);
    wa_release(shielded);
    wa_release(notify);
    return rc;
}

static int shield_demo(void *argp) {
    const wa_value_t *arg = argp;
    double save_ms = param_num(arg, "save", 2000, 0, 60000);
    handler_t h = {.notify_ms = param_num(arg, "notify", 3000, 0, 60000), .notify_status = WA_ECANCELLED};
    wa_task_t *ht = NULL;
    wa_task_opts_t so = {.name = "save (shielded)"}, ho = {.name = "handler", .stack_size = 32 * 1024};
    int rc = wa_spawn(&h.save, sleeper, &save_ms, &so);
    if (rc == 0) rc = wa_spawn(&ht, handler, &h, &ho);
    int hs = WA_ECANCELLED, ss = WA_ECANCELLED;
    bool stopped = false;
    if (rc == 0) {
        /* wait for the handler: its status, or WA_ECANCELLED if it was
         * cancelled - or if we were (stopped from the page): cancelling()
         * tells which, as in asyncio */
        wa_await(ht);
        stopped = wa_task_cancelling(wa_current_task()) > 0;
        if (stopped) {
            wa_cancel(ht, "stopped");
            wa_cancel(h.save, "stopped");
        }
        while (!wa_future_done(ht)) wa_await(ht);
        /* the save may outlive the handler: wait for it too */
        while (!wa_future_done(h.save)) wa_await(h.save);
        hs = wa_future_status(ht);
        ss = wa_future_status(h.save);
    }
    report("{\"ev\":\"result\",\"handler\":\"%s\",\"save\":\"%s\",\"notify\":\"%s\"}", outcome(hs), outcome(ss),
           outcome(h.notify_status));
    wa_release(ht);
    wa_release(h.save);
    return rc ? rc : stopped ? WA_ECANCELLED : 0;
}
WA_EXPORT_CORO(shield_demo)

/* ---- TaskGroup --------------------------------------------------------------- */

typedef struct {
    const char *name;
    double ms;
    bool fail;
} fetch_t;

static int fake_fetch(void *arg) {
    fetch_t *f = arg;
    int rc = wa_sleep(f->ms);
    if (rc) return rc;
    if (f->fail) return wa_fail(WA_EFAILED, "%s: upstream answered 503", f->name);
    return 0;
}

static int group_demo(void *argp) {
    const wa_value_t *arg = argp;
    fetch_t f[4] = {
        {"users", param_num(arg, "users", 1200, 0, 60000), false},
        {"orders", param_num(arg, "orders", 2400, 0, 60000), false},
        {"prices", param_num(arg, "prices", 1000, 0, 60000), param_num(arg, "fail", 1, 0, 1) != 0},
        {"stock", param_num(arg, "stock", 3000, 0, 60000), false},
    };
    wa_taskgroup_t *tg;
    int rc = wa_taskgroup_enter(&tg);
    if (rc) return rc;
    for (int i = 0; i < 4; i++) {
        wa_task_t *t;
        wa_task_opts_t o = {.name = f[i].name};
        if (wa_taskgroup_spawn(tg, &t, fake_fetch, &f[i], &o) == 0) wa_release(t);
    }
    /* the body has nothing else to do: exit waits for every child */
    rc = wa_taskgroup_exit(tg, 0);
    char list[600] = "";
    size_t used = 0;
    for (size_t i = 0; i < wa_taskgroup_error_count(tg) && used < sizeof list; i++) {
        int code;
        const char *msg;
        wa_task_t *who;
        wa_taskgroup_error(tg, i, &code, &msg, &who);
        char esc[200];
        used += (size_t)snprintf(list + used, sizeof list - used, "%s\"%s\"", i ? "," : "",
                                 json_esc(msg ? msg : wa_strerror(code), esc, sizeof esc));
    }
    report("{\"ev\":\"result\",\"group\":\"%s\",\"errors\":[%s]}",
           rc == 0 ? "ok" : rc == WA_EGROUP ? "failed (WA_EGROUP)" : outcome(rc), list);
    wa_taskgroup_free(tg);
    return rc; /* WA_EGROUP: the owner fails, as an ExceptionGroup propagates */
}
WA_EXPORT_CORO(group_demo)
