/* Internal structures shared by the runtime's source files. Not installed. */
#ifndef WASYNCIO_INTERNAL_H
#define WASYNCIO_INTERNAL_H

#include "wasyncio.h"
#include "bridge_api.h"
#include "coro.h"

#include <stdarg.h>

#if defined(__GNUC__)
#define WA_LIKELY(x) __builtin_expect(!!(x), 1)
#define WA_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define WA_NOINLINE __attribute__((noinline))
#else
#define WA_LIKELY(x) (x)
#define WA_UNLIKELY(x) (x)
#define WA_NOINLINE
#endif

#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#define WA_EXPORT EMSCRIPTEN_KEEPALIVE
#else
#define WA_EXPORT
#endif

/* Marks a function Asyncify must leave uninstrumented: the resume function
 * (an unwind stops there, see coro_asyncify.c) and scheduler code that only
 * ever runs on the main stack, never between a coroutine's entry and its
 * yield - instrumenting it would only slow every callback and step down.
 * Put it first on the line that defines the function: the build collects
 * the names from those lines into wasm-opt's asyncify-removelist and fails
 * if a linked module lacks one of them (a marker it cannot read fails too).
 * On wasm, `used` keeps the function in every module that links its file
 * (even where nothing calls it), so that check means what it says. */
#if defined(__wasm__)
#define WA_NOT_ASYNCIFIED __attribute__((used))
#else
#define WA_NOT_ASYNCIFIED
#endif

/* ---- ready queue ---------------------------------------------------------
 * A ring of (fn, a, b) entries. Task wake-ups and future callbacks go
 * straight in; nothing is allocated per entry (the ring only grows). */
typedef void (*wa_ready_fn)(void *a, void *b);
typedef struct wa_ready {
    wa_ready_fn fn;
    void *a;
    void *b;
} wa_ready_t;

/* ---- handles (call_soon / call_later / call_at / internal timers) -------- */
typedef struct wa_slot {
    wa_callback_fn fn;
    void *arg;
    double when;        /* timers: deadline                               */
    uint64_t seq;       /* timers: tie-break in scheduling order          */
    uint32_t gen;       /* bumped on every reuse: stale handles miss      */
    uint32_t heap_pos;  /* position in the timer heap, or NOT_IN_HEAP     */
    uint32_t next_free;
    uint8_t state;      /* SLOT_FREE / SLOT_READY / SLOT_TIMER            */
    bool weak;          /* timers: keeps no host alive (wa_handle_set_weak) */
} wa_slot_t;

enum { SLOT_FREE = 0, SLOT_READY, SLOT_TIMER, SLOT_CANCELLED };
#define WA_NOT_IN_HEAP UINT32_MAX
#define WA_NO_SLOT UINT32_MAX

/* ---- futures -------------------------------------------------------------- */
enum { FUT_PENDING = 0, FUT_OK, FUT_ERROR, FUT_CANCELLED };
enum { KIND_FUTURE = 0, KIND_CORO, KIND_STEP };
enum {
    FFLAG_RETRIEVED = 1u,   /* outcome was read: no "never retrieved" report */
    FFLAG_GATHER = 2u,      /* a gather's outer future (cancel goes to kids) */
    FFLAG_MARK = 4u,        /* transient, set and cleared within one call
                               (futset.c: finding duplicates in O(n))      */
    FFLAG_OWNED = 8u,       /* outcome set by its owner only (op futures):
                               wa_future_set_result/set_error refuse it  */
    FFLAG_INLINE = 16u,     /* begins with wa_inline_t: a task awaiting it
                               runs it inline (see below)                */
    FFLAG_VIEW_REPORTS = 64u, /* a JS view took its outcome and reports an
                               unretrieved failure itself (run.c skips it) */
};

typedef struct wa_cb {
    wa_done_fn fn;
    void *arg;
} wa_cb_t;

/* Done callbacks beyond the first (most futures have one waiter at most). */
typedef struct wa_cbvec {
    uint32_t n, cap;
    wa_cb_t at[];
} wa_cbvec_t;

struct wa_future {
    uint32_t refs;
    uint8_t state;
    uint8_t kind;
    uint8_t flags;
    uint8_t ncb_inline;     /* 0 or 1: the inline callback slot in use    */
    int code;               /* error code when FUT_ERROR                  */
    void *result;
    wa_free_fn dtor;
    char *message;          /* error / cancel message (owned)             */
    wa_cb_t cb0;            /* first callback inline: no alloc for 1 waiter */
    struct wa_cbvec *cbs;   /* further callbacks (allocated when needed)  */
    /* Called instead of the default cancel (gather, shield ...). */
    int (*cancel_hook)(wa_future_t *f, const char *msg);
    /* Called when the future is freed (combinators release children). */
    void (*fini)(wa_future_t *f);
    /* For operation futures (queue get, lock acquire ...): the task waiting
     * on this op was cancelled after the op completed but before it could
     * take the outcome; give what the op holds back (item, slot ...) so
     * nothing is lost. Called by the scheduler (task_wakeup) and by the JS
     * bindings in the same situation. */
    void (*rollback)(wa_future_t *f);
};

/* ---- tasks ---------------------------------------------------------------- */
enum { TASK_READY = 0, TASK_RUNNING, TASK_WAIT_FUTURE, TASK_WAIT_TIMER, TASK_DONE };

typedef struct wa_task_s {
    struct wa_future fut;         /* must be first: a task is a future      */
    uint8_t tstate;
    uint8_t must_cancel;          /* deliver WA_ECANCELLED at next resume   */
    uint8_t started;
    uint8_t resume_now;           /* step task: its wait was already done,
                                     call the step again in this turn     */
    uint8_t msg_pinned;           /* cancel_msg is the message of the
                                     cancellation already on its way (a
                                     cancelled sleep): later requests do
                                     not replace it (asyncio)             */
    int num_cancels;              /* asyncio _num_cancels_requested         */
    int wake_status;              /* outcome of the wait just finished      */
    char *cancel_msg;             /* message of the cancellation the task
                                     will see (asyncio's _cancel_message, or
                                     that of the awaited future cancelled) */
    const char *req_msg;          /* during cancel_notify: the request's   */
    char *name;                   /* NULL: "Task-<number>", made on demand  */
    uint64_t number;
    wa_future_t *waiting_on;      /* TASK_WAIT_FUTURE: referenced           */
    wa_future_t *sub_op;          /* step task: the op it runs inline while
                                     waiting_on is that op's waiter (ref'd) */
    uint32_t timer_slot;          /* TASK_WAIT_TIMER: slot index            */
    struct wa_task_s *prev, *next;/* the loop's list of live tasks          */
    /* The result set by wa_return waits in fut.result/fut.dtor, unused
     * while the task is pending. */
    char *fail_msg;               /* set by wa_fail                         */
    /* Structured concurrency (timeout.c, taskgroup.c): the timeout scopes
     * and task groups open in this task, innermost first, and the group
     * this task was spawned in (for effective deadlines). */
    wa_scope_link_t *scopes;
    struct wa_taskgroup *group;
    /* Told when a cancellation is requested (the JS bindings abort the
     * task's AbortSignal). */
    void (*cancel_notify)(struct wa_task_s *t);
    wa_free_fn arg_free;          /* wa_task_opts_t.arg_free                */
    void *context;                /* task-local context (wa_context_get):
                                     copied from the spawner at creation   */
    union {
        struct {
            wa_coro_fn fn;
            void *arg;
            int status;           /* value returned by fn                   */
            wa_coro_t coro;
        } c;
        struct {
            wa_step_fn fn;
            void *state;
        } s;
    } u;
} wa_task_impl_t;

#define TASK(f) ((wa_task_impl_t *)(f))
/* A step task has no coroutine: its struct stops after u.s. */
#define WA_STEP_TASK_SIZE (offsetof(wa_task_impl_t, u) + sizeof(((wa_task_impl_t *)0)->u.s))

/* ---- the loop ------------------------------------------------------------- */
typedef struct wa_run_state {
    wa_task_t *main;
    wa_run_done_fn done;
    void *user;
    int status;
    char *message;
    int phase;          /* 0 none, 1 main running, 2 cancelling leftovers */
    int rounds;         /* cleanup rounds so far                          */
    bool deadlock;      /* ended by deadlock detection                    */
    wa_future_t *cleanup;   /* gather over the leftovers being cancelled */
    wa_task_t **left;   /* those leftovers (borrowed; the gather refs them) */
    size_t nleft;
    double cleanup_ms;  /* give up this long after main ended (inf: never) */
    wa_handle_t timer;  /* that limit, while has_timer                    */
    bool has_timer;
    bool host_hooked;   /* the host watches for deadlock (wa_host_run_*)  */
    int ended;          /* how the last run ended, while its done callback
                           runs: 0, WA_RUN_DEADLOCK or WA_RUN_GAVE_UP      */
} wa_run_state_t;

enum { WA_RUN_DEADLOCK = 1, WA_RUN_GAVE_UP = 2 };

/* How long a run waits for its cancelled leftovers before giving up. */
#define WA_RUN_CLEANUP_MS 5000.0

typedef struct wa_loop {
    /* ready ring */
    wa_ready_t *ring;
    uint32_t ring_cap;      /* power of two */
    uint32_t ring_head;
    uint32_t ring_count;
    /* handle slots and the timer heap (slot indices, min by (when, seq)) */
    wa_slot_t *slots;
    uint32_t nslots, cap_slots, free_slot;
    uint32_t *heap;
    uint32_t heap_len, heap_cap;
    uint64_t timer_seq;
    uint32_t weak_timers;   /* weak timers in the heap: not work to wait for */
    size_t live_handles;
    /* tasks */
    wa_task_impl_t *current;
    void *context;                /* wa_context_get/set outside tasks        */
    wa_task_impl_t *tasks_head;
    size_t live_tasks;
    uint64_t task_counter;
    size_t live_futures;
    struct wa_task_s *task_pool[2];  /* freed task structs kept for reuse:
                                        [0] coroutine size, [1] step size */
    size_t task_pool_len[2];
    uint64_t switches;
    /* coroutine backend state + stack pool */
    wa_coro_sched_t sched;
    wa_stack_pool_t stacks;
    size_t default_stack;
    /* host turn */
    double budget_ms;
    bool in_run_once;
    bool timer_armed;       /* the host timer is set ...                   */
    double armed;           /* ... for this deadline (any value, even < 0) */
    bool armed_weak;        /* ... and keeps the host alive unless set     */
    bool armed_immediate;   /* an immediate host turn is pending           */
    size_t host_pending;    /* host operations in flight (fetch, jobs ...) */
    /* virtual clock (wa_loop_set_clock) */
    bool virtual_clock;
    double vnow;            /* virtual time (ms)                           */
    double vreal;           /* host time when vnow was last brought up to
                               date while following the host clock         */
    bool guard_handler;     /* native: SIGSEGV handler for guard pages set  */
    /* fetch (fetch.c) */
    size_t fetch_responses; /* wa_response_t objects alive                 */
    size_t fetch_pending;   /* fetch operations waiting on the host        */
    uint64_t fetch_started;
    char *fetch_error;      /* message for wa_fetch_error (owned)          */
    /* WebSocket (websocket.c) */
    size_t ws_sockets;      /* wa_ws_t objects alive                       */
    size_t ws_pending;      /* WebSocket operations waiting                */
    /* run */
    wa_run_state_t run;
    bool debug;             /* wa_set_debug: time each ready callback       */
    double slow_ms;         /* ... and report those longer than this        */
    wa_exception_handler_fn exc_fn;
    void *exc_arg;
    wa_task_hook_fn hook;   /* task events (tracing), NULL when off */
    void *hook_arg;
    /* The scope (timeout or task group) whose own cancellation of its task
     * is being requested right now, and why (WA__CANCEL_BY_*, comb.h): the
     * JS bindings read them while the request is announced, instead of
     * guessing which scope it came from. */
    wa_scope_link_t *cancel_origin;
    int cancel_why;
} wa_loop_t;

/* The one loop: the only global state of the runtime. */
extern wa_loop_t wa__loop;

/* loop.c */
int wa__ready_push(wa_ready_fn fn, void *a, void *b);
void wa__loop_changed(void);          /* re-arm the host wake-up if needed */
int wa__timer_add(double when, wa_callback_fn fn, void *arg, uint32_t *slot_out);
void wa__timer_cancel(uint32_t slot); /* pending timer or expired, not run */
int wa__host_turn(int from_timer);
void wa__host_pending_add(int delta); /* host ops in flight (fetch, jobs) */
double wa__now(void);                 /* the loop's clock (host or virtual) */

/* future.c */
void wa__future_init(wa_future_t *f, uint8_t kind);
void wa__future_complete(wa_future_t *f, uint8_t state, int code, void *result,
                         wa_free_fn dtor, char *owned_msg);
int wa__future_cancel_plain(wa_future_t *f, const char *msg);
char *wa__strdup(const char *s);
char *wa__vformat(const char *fmt, va_list ap);
void wa__report_unretrieved(wa_future_t *f);

/* task.c */
void wa__task_step(void *task, void *unused);
/* wa_task_opts_t.flags, internal: link the task in but queue no first step;
 * the creator starts it with wa__task_start_eager once it has set up its
 * side (the JS bindings: the task's view must know its pointer first). */
#define WA__TASK_UNQUEUED 0x80000000u
void wa__task_start_eager(wa_task_impl_t *t);
int wa__task_cancel(wa_task_impl_t *t, const char *msg);
void wa__task_free_fields(wa_task_impl_t *t);
void wa__task_dealloc(wa_task_impl_t *t);   /* back to the pool */
void wa__task_pool_trim(void);
size_t wa__task_pool_bytes(void);

/* Futures a step task awaiting them runs inline, as part of its own steps,
 * the way an awaited coroutine runs inside its task in asyncio: the ops of
 * the sync primitives (op.c) and wait_for's future form (wait_for.c). So
 * their outcome reaches the task in the step it is decided, not one loop
 * step later through a done callback. Such a future has FFLAG_INLINE and
 * begins with wa_inline_t. */
typedef struct wa_inline_vt {
    /* t awaits f (pending): take over and return the future t awaits in
     * f's place, or NULL (t awaits f itself). */
    wa_future_t *(*adopt)(wa_future_t *f, struct wa_task_s *t);
    /* w, what t awaited in f's place, is done: go on. Returns WA_PENDING
     * with *next (await that now), or f's final status (f is done). */
    int (*step)(wa_future_t *f, wa_future_t *w, struct wa_task_s *t, wa_future_t **next);
    /* t could not wait after all (no memory): f goes on by itself. */
    void (*unadopt)(wa_future_t *f);
} wa_inline_vt_t;

typedef struct wa_inline {
    struct wa_future fut;
    const wa_inline_vt_t *ivt;
} wa_inline_t;

#define INLINE_VT(f) (((wa_inline_t *)(f))->ivt)

/* timeout.c: a task ended with scopes still open (disarm them). */
void wa__scopes_task_done(wa_task_impl_t *t);

/* value.c */
WA_EXPORT wa_value_t *wa__value_alloc(int32_t type, size_t payload);

/* debug.c: report a ready callback (fn, a) that took ms. */
void wa__debug_slow(wa_ready_fn fn, void *a, double ms);

/* run.c */
/* Run existing task main as a run's main (asyncio.run for a task made
 * elsewhere: the JS bindings' run()). Takes its own reference. cleanup_ms:
 * how long to wait for cancelled leftovers (INFINITY: no limit);
 * host_hooked: the web host watches for deadlock (Node's beforeExit).
 * WA_EINVAL, WA_ESTATE if a run is in progress or main is done. */
int wa__run_start_task(wa_task_t *main, double cleanup_ms, bool host_hooked,
                       wa_run_done_fn done, void *user);
/* A run is in progress. */
bool wa__run_active(void);

/* host (runtime/host/...) */
double wa_host_now(void);
/* Ask for a host turn as soon as possible (never setTimeout(0)). */
void wa_host_arm_immediate(void);
/* Set the one host timer to fire a turn after delay_ms (> 0, at most
 * WA_HOST_MAX_DELAY_MS); -1 clears it. weak: only weak timers are pending,
 * so the timer must not keep the host process alive (Node: unref). */
void wa_host_arm_timer(double delay_ms, bool weak);
/* The longest delay a host timer or wait is given: JS setTimeout's limit
 * (2^31-1 ms, ~24.8 days; beyond it Node and browsers fire after 1 ms). A
 * later deadline gets this delay, and that wake-up re-arms for the rest. */
#define WA_HOST_MAX_DELAY_MS 2147483647.0
/* Native: block until timeout (ms, < 0 forever) or a cross-thread wake. */
void wa_host_wait(double timeout_ms);
void wa_host_report(const char *text);          /* stderr / console.error */
void wa_host_value_release(uint32_t handle);    /* WA_VALUE_JS handles */
void wa_host_run_started(void);                 /* web: watch for deadlock */
void wa_host_run_done(int status, const char *message);
void wa_host_run_ended(void);                   /* web: stop watching      */
bool wa_host_blocks(void);                      /* native: wa_run blocks */


#endif
