/* The executor pool's scheduler (pool_sched.h): job FIFO with
 * backpressure, job -> worker matching, worker start-up with backoff,
 * idle retirement and the cancel grace period as loop timers. The host
 * owns the workers and the jobs' outcomes. */
#include "pool_sched.h"

#include <math.h>
#include <stdlib.h>

/* A worker that ends before it is ready is started again after 100 ms,
 * then 200 ms; after START_TRIES such failures in a row the jobs waiting
 * for a worker fail (WA_PSCHED_NO_WORKER) and no worker starts again until
 * the next submission. */
#define START_TRIES 3
#define START_BACKOFF_MS 100.0

enum { J_WAITING, J_QUEUED, J_RUNNING, J_DONE };
enum { W_STARTING, W_READY, W_RETIRING, W_KILLING };

struct wa_pjob {
    wa_pjob_t *prev, *next;
    uint32_t id;
    uint8_t state;
    bool cancelled_running; /* cancelled while on a worker: its grace runs */
};

typedef struct pworker {
    struct pworker *prev, *next;
    wa_psched_t *s;
    uint32_t id;
    uint8_t state;
    bool was_ready;  /* it said 'ready' once */
    bool retiring;   /* ended on purpose (idle, shut down, recycled) */
    bool recycled;   /* asked to be replaced: the job it holds never started */
    bool crashed;    /* ended by a fault: its running job fails */
    bool refd;
    bool idle_armed, kill_armed;
    wa_handle_t idle_timer, kill_timer;
    wa_pjob_t *job; /* at most one: a worker gets work only when it has none */
} pworker_t;

typedef struct jlist {
    wa_pjob_t *head, *tail;
    uint32_t len;
} jlist_t;

struct wa_psched {
    wa_psched_opts_t o;
    wa_psched_host_t h;
    jlist_t waiting; /* for room in the queue */
    jlist_t queue;   /* for a worker */
    pworker_t *first, *last;
    uint32_t nworkers, next_worker;
    bool closed, drained, pumping;
    int start_failures;
    bool start_gave_up;   /* start workers only for new submissions */
    double spawn_after;   /* no worker start before this loop time */
    bool spawn_armed;
    wa_handle_t spawn_timer;
    wa_psched_stats_t n;  /* the counters (completed ... started) */
};

static void pump(wa_psched_t *s);

/* ---- job lists ----------------------------------------------------------------- */

static void jl_push(jlist_t *l, wa_pjob_t *j) {
    j->next = NULL;
    j->prev = l->tail;
    if (l->tail) l->tail->next = j;
    else l->head = j;
    l->tail = j;
    l->len++;
}

static void jl_unshift(jlist_t *l, wa_pjob_t *j) {
    j->prev = NULL;
    j->next = l->head;
    if (l->head) l->head->prev = j;
    else l->tail = j;
    l->head = j;
    l->len++;
}

static void jl_remove(jlist_t *l, wa_pjob_t *j) {
    if (j->prev) j->prev->next = j->next;
    else l->head = j->next;
    if (j->next) j->next->prev = j->prev;
    else l->tail = j->prev;
    j->prev = j->next = NULL;
    l->len--;
}

static wa_pjob_t *jl_shift(jlist_t *l) {
    wa_pjob_t *j = l->head;
    if (j) jl_remove(l, j);
    return j;
}

/* End a job that is on no list and no worker: count it, free it, tell the host. */
static void end_job(wa_psched_t *s, wa_pjob_t *j, int why) {
    uint32_t id = j->id;
    if (why == WA_PSCHED_CANCELLED || why == WA_PSCHED_SHUTDOWN) s->n.cancelled++;
    else s->n.failed++;
    free(j);
    s->h.settle(s->h.ctx, id, why);
}

static void end_all(wa_psched_t *s, jlist_t *l, int why) {
    wa_pjob_t *j;
    while ((j = jl_shift(l)) != NULL) {
        j->state = J_DONE;
        end_job(s, j, why);
    }
}

/* ---- workers --------------------------------------------------------------------- */

static pworker_t *find_worker(wa_psched_t *s, uint32_t id) {
    for (pworker_t *w = s->first; w; w = w->next)
        if (w->id == id) return w;
    return NULL;
}

static void unlink_worker(wa_psched_t *s, pworker_t *w) {
    if (w->prev) w->prev->next = w->next;
    else s->first = w->next;
    if (w->next) w->next->prev = w->prev;
    else s->last = w->prev;
    s->nworkers--;
}

static void clear_idle(pworker_t *w) {
    if (!w->idle_armed) return;
    wa_handle_cancel(w->idle_timer);
    w->idle_armed = false;
}

static void clear_kill(pworker_t *w) {
    if (!w->kill_armed) return;
    wa_handle_cancel(w->kill_timer);
    w->kill_armed = false;
}

static void set_ref(wa_psched_t *s, pworker_t *w, bool pending) {
    /* busy, starting for queued work, or ending (so the host waits for
     * the exit that settles shutdown and replaces crashed workers) */
    bool want = w->job || (w->state == W_STARTING && pending) || w->state == W_RETIRING ||
                w->state == W_KILLING;
    if (want == w->refd) return;
    w->refd = want;
    s->h.ref(s->h.ctx, w->id, want);
}

/* End a worker that has nothing to do. */
static void retire(wa_psched_t *s, pworker_t *w) {
    if (w->retiring) return;
    w->retiring = true;
    clear_idle(w);
    w->state = W_RETIRING;
    set_ref(s, w, false);
    s->h.terminate(s->h.ctx, w->id);
}

/* Terminate a worker (a cancelled job past its grace, or a fault). */
static void kill_worker(wa_psched_t *s, pworker_t *w, bool crashed) {
    if (crashed) w->crashed = true;
    w->state = W_KILLING;
    set_ref(s, w, false);
    s->h.terminate(s->h.ctx, w->id);
}

/* A timer that keeps no host alive (an idle pool must not hold Node open;
 * a worker past its cancel grace is unref'd anyway). */
static int weak_later(double ms, wa_callback_fn fn, void *arg, wa_handle_t *out) {
    int rc = wa_call_later(ms, fn, arg, out);
    if (rc == 0) wa_handle_set_weak(*out, true);
    return rc;
}

static void idle_fired(void *arg) {
    pworker_t *w = arg;
    wa_psched_t *s = w->s;
    w->idle_armed = false;
    if (w->state == W_READY && !w->job && s->nworkers > s->o.min_workers) {
        retire(s, w);
        pump(s);
    }
}

static void arm_idle(wa_psched_t *s, pworker_t *w) {
    if (w->idle_armed || s->nworkers <= s->o.min_workers || isinf(s->o.idle_ms)) return;
    if (weak_later(s->o.idle_ms, idle_fired, w, &w->idle_timer) == 0) w->idle_armed = true;
}

static void grace_over(void *arg) {
    pworker_t *w = arg;
    w->kill_armed = false;
    if (w->job && w->job->cancelled_running) kill_worker(w->s, w, false);
}

static void spawn_fired(void *arg) {
    wa_psched_t *s = arg;
    s->spawn_armed = false;
    pump(s);
}

static void arm_spawn(wa_psched_t *s, double ms) {
    if (s->spawn_armed) return;
    if (wa_call_later(ms, spawn_fired, s, &s->spawn_timer) == 0) s->spawn_armed = true;
}

/* A worker ended before it was ready: back off, or give up after
 * START_TRIES in a row (the jobs waiting for a worker fail). */
static void start_failed(wa_psched_t *s) {
    int n = ++s->start_failures;
    if (n < START_TRIES) {
        double delay = START_BACKOFF_MS * (double)(1u << (n - 1));
        s->spawn_after = wa_time() + delay;
        arm_spawn(s, delay); /* pump once the backoff is over */
        return;
    }
    s->start_failures = 0;
    s->spawn_after = 0;
    s->start_gave_up = true;
    end_all(s, &s->waiting, WA_PSCHED_NO_WORKER);
    end_all(s, &s->queue, WA_PSCHED_NO_WORKER);
}

static void spawn(wa_psched_t *s) {
    pworker_t *w = calloc(1, sizeof *w);
    if (!w) {
        start_failed(s);
        return;
    }
    w->s = s;
    w->id = ++s->next_worker;
    w->state = W_STARTING;
    w->refd = true;
    w->prev = s->last;
    if (s->last) s->last->next = w;
    else s->first = w;
    s->last = w;
    s->nworkers++;
    s->n.started++;
    if (s->h.spawn(s->h.ctx, w->id) != 0) {
        unlink_worker(s, w);
        free(w);
        start_failed(s);
    }
}

static void dispatch(wa_psched_t *s, pworker_t *w, wa_pjob_t *j) {
    clear_idle(w);
    j->state = J_RUNNING;
    w->job = j;
    if (s->h.post(s->h.ctx, w->id, j->id) != 0) {
        /* not sendable (arguments not cloneable, input lost): the host
         * failed the job; the worker is fine */
        w->job = NULL;
        s->n.failed++;
        free(j);
    }
}

/* ---- matching jobs with workers ----------------------------------------------------- */

static void pump(wa_psched_t *s) {
    if (s->pumping) return;
    s->pumping = true;
    /* 1. give free workers work: queued jobs first, then waiting ones */
    for (pworker_t *w = s->first; w && (s->queue.len || s->waiting.len); w = w->next) {
        /* a job that cannot be sent leaves the worker free for the next */
        while (w->state == W_READY && !w->job) {
            wa_pjob_t *j = jl_shift(&s->queue);
            if (!j) {
                j = jl_shift(&s->waiting);
                if (!j) break;
                s->h.accepted(s->h.ctx, j->id);
            }
            dispatch(s, w, j);
        }
    }
    /* 2. admit waiting submissions while there is room in the queue */
    while (s->waiting.len && s->queue.len < s->o.max_queue) {
        wa_pjob_t *j = jl_shift(&s->waiting);
        j->state = J_QUEUED;
        jl_push(&s->queue, j);
        s->h.accepted(s->h.ctx, j->id);
    }
    /* 3. start workers for work that has none (not during a backoff) */
    uint32_t pending = s->queue.len + s->waiting.len, starting = 0;
    for (pworker_t *w = s->first; w; w = w->next)
        if (w->state == W_STARTING) starting++;
    double wait = s->spawn_after - wa_time();
    if (wait > 0) {
        if (pending > starting || s->nworkers < s->o.min_workers) arm_spawn(s, wait);
    } else {
        while (pending > starting && s->nworkers < s->o.max_workers) {
            spawn(s);
            starting++;
        }
        if (!s->closed && !s->start_gave_up) {
            uint32_t tries = s->o.min_workers; /* bounded even if spawns keep failing */
            while (s->nworkers < s->o.min_workers && tries--) spawn(s);
        }
    }
    /* 4. idle workers: timers, refs; shut down when nothing is left */
    bool nothing_left = s->closed && !pending;
    for (pworker_t *w = s->first, *next; w; w = next) {
        next = w->next;
        if (nothing_left && (w->state == W_READY || w->state == W_STARTING) && !w->job) retire(s, w);
        else if (w->state == W_READY && !w->job) arm_idle(s, w);
        set_ref(s, w, pending > 0);
    }
    s->pumping = false;
    if (nothing_left && !s->nworkers && !s->drained) {
        s->drained = true;
        s->h.drained(s->h.ctx);
    }
}

/* ---- the API ------------------------------------------------------------------------ */

wa_psched_t *wa__psched_new(const wa_psched_opts_t *opts, const wa_psched_host_t *host) {
    if (!opts || !host) return NULL;
    wa_psched_t *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->o = *opts;
    s->h = *host;
    pump(s);
    return s;
}

void wa__psched_free(wa_psched_t *s) {
    if (!s) return;
    if (s->spawn_armed) wa_handle_cancel(s->spawn_timer);
    for (pworker_t *w = s->first, *next; w; w = next) {
        next = w->next;
        clear_idle(w);
        clear_kill(w);
        free(w->job);
        free(w);
    }
    wa_pjob_t *j;
    while ((j = jl_shift(&s->waiting)) != NULL) free(j);
    while ((j = jl_shift(&s->queue)) != NULL) free(j);
    free(s);
}

wa_pjob_t *wa__psched_submit(wa_psched_t *s, uint32_t job, int *rc) {
    int dummy;
    if (!rc) rc = &dummy;
    if (!s) {
        *rc = WA_EINVAL;
        return NULL;
    }
    if (s->closed) {
        *rc = WA_ESHUTDOWN;
        return NULL;
    }
    wa_pjob_t *j = calloc(1, sizeof *j);
    if (!j) {
        *rc = WA_ENOMEM;
        return NULL;
    }
    *rc = 0;
    s->start_gave_up = false; /* a new submission may try to start workers again */
    j->id = job;
    j->state = J_WAITING;
    jl_push(&s->waiting, j);
    pump(s);
    return j;
}

static pworker_t *worker_of(wa_psched_t *s, const wa_pjob_t *j) {
    for (pworker_t *w = s->first; w; w = w->next)
        if (w->job == j) return w;
    return NULL;
}

void wa__psched_cancel(wa_psched_t *s, wa_pjob_t *j) {
    if (!s || !j || j->state == J_DONE) return;
    if (j->state == J_WAITING || j->state == J_QUEUED) {
        jl_remove(j->state == J_WAITING ? &s->waiting : &s->queue, j);
        j->state = J_DONE;
        end_job(s, j, WA_PSCHED_CANCELLED);
    } else {
        pworker_t *w = worker_of(s, j);
        j->state = J_DONE;
        j->cancelled_running = true;
        s->n.cancelled++;
        uint32_t id = j->id;
        if (w) {
            s->h.cancel_running(s->h.ctx, w->id, id);
            if (!w->kill_armed &&
                weak_later(s->o.grace_ms, grace_over, w, &w->kill_timer) == 0)
                w->kill_armed = true;
        }
        s->h.settle(s->h.ctx, id, WA_PSCHED_CANCELLED);
    }
    pump(s);
}

int wa__psched_job_state(const wa_pjob_t *j) {
    return j ? j->state : J_DONE;
}

void wa__psched_shutdown(wa_psched_t *s, bool cancel_pending) {
    if (!s) return;
    if (!s->closed) {
        s->closed = true;
        for (pworker_t *w = s->first; w; w = w->next) clear_idle(w);
    }
    if (cancel_pending) {
        end_all(s, &s->waiting, WA_PSCHED_SHUTDOWN);
        end_all(s, &s->queue, WA_PSCHED_SHUTDOWN);
    }
    pump(s);
}

void wa__psched_stats(const wa_psched_t *s, wa_psched_stats_t *out) {
    if (!out) return;
    *out = (wa_psched_stats_t){0};
    if (!s) return;
    *out = s->n;
    out->workers = s->nworkers;
    for (const pworker_t *w = s->first; w; w = w->next) {
        if (w->state == W_STARTING) out->starting++;
        else if (w->job) out->busy++;
        else out->idle++;
        if (w->job) out->running++;
    }
    out->queued = s->queue.len;
    out->waiting = s->waiting.len;
}

/* ---- events from the host ---------------------------------------------------------------- */

void wa__psched_worker_ready(wa_psched_t *s, uint32_t worker) {
    pworker_t *w = s ? find_worker(s, worker) : NULL;
    if (!w) return;
    if (w->state == W_STARTING) w->state = W_READY;
    w->was_ready = true;
    s->start_failures = 0;
    s->start_gave_up = false;
    pump(s);
}

bool wa__psched_worker_result(wa_psched_t *s, uint32_t worker, uint32_t job, int outcome) {
    pworker_t *w = s ? find_worker(s, worker) : NULL;
    if (!w || !w->job || w->job->id != job) return false;
    wa_pjob_t *j = w->job;
    w->job = NULL;
    bool pending = j->state != J_DONE;
    if (pending) {
        if (outcome == WA_PSCHED_OK) s->n.completed++;
        else if (outcome == WA_PSCHED_WAS_CANCELLED) s->n.cancelled++;
        else s->n.failed++;
    }
    free(j);
    clear_kill(w); /* its one job is over: no cancelled job left to stop */
    pump(s);
    return pending;
}

void wa__psched_worker_crashed(wa_psched_t *s, uint32_t worker) {
    pworker_t *w = s ? find_worker(s, worker) : NULL;
    if (w) kill_worker(s, w, true);
}

void wa__psched_worker_stray(wa_psched_t *s, uint32_t worker) {
    pworker_t *w = s ? find_worker(s, worker) : NULL;
    if (!w) return;
    s->n.stray_errors++;
    if (w->state == W_READY) w->state = W_RETIRING;
    pump(s);
}

void wa__psched_worker_recycle(wa_psched_t *s, uint32_t worker) {
    pworker_t *w = s ? find_worker(s, worker) : NULL;
    if (!w) return;
    w->recycled = true;
    w->retiring = true;
    w->state = W_RETIRING;
    set_ref(s, w, false);
    s->h.terminate(s->h.ctx, w->id);
}

bool wa__psched_worker_exited(wa_psched_t *s, uint32_t worker) {
    pworker_t *w = s ? find_worker(s, worker) : NULL;
    if (!w) return false;
    bool was_starting = !w->was_ready; /* ended before it was ready */
    bool intended = w->retiring || (w->state == W_KILLING && !w->crashed);
    bool recycled = w->recycled;
    wa_pjob_t *j = w->job;
    unlink_worker(s, w);
    clear_idle(w);
    clear_kill(w);
    free(w);
    if (!intended) s->n.crashed++;
    if (j && j->state == J_DONE) {
        free(j); /* the cancelled job it was running */
    } else if (j && intended && recycled) {
        /* sent after its last job: it never started; run it again first */
        j->state = J_QUEUED;
        jl_unshift(&s->queue, j);
    } else if (j) {
        j->state = J_DONE;
        end_job(s, j, WA_PSCHED_CRASHED);
    }
    if (!intended) {
        if (was_starting) start_failed(s);
        else s->start_failures = 0;
    }
    pump(s);
    return !intended;
}
