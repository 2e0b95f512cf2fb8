/* wa_run / wa_run_start: main's status, leftover tasks cancelled, deadlock. */
#define _POSIX_C_SOURCE 200809L /* nanosleep, dup2 */
#include "harness.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#if !defined(__wasm__)
#include <unistd.h>
#endif

static wa_task_t *leftover;
static int leftover_saw;

static int forever(void *arg) {
    (void)arg;
    int rc = wa_sleep(1e9);
    leftover_saw = rc;
    return rc;
}

static int check_leftover_cancelled(int status, const char *msg) {
    (void)status;
    (void)msg;
    int ok = leftover && wa_future_cancelled(leftover) && leftover_saw == WA_ECANCELLED;
    wa_release(leftover);
    leftover = NULL;
    return ok ? 0 : 1;
}

TEST_EX(leftover_tasks_are_cancelled_when_main_ends, 0, check_leftover_cancelled) {
    leftover_saw = 0;
    CHECK_EQ(wa_spawn(&leftover, forever, NULL, NULL), 0);
    CHECK_EQ(wa_sleep(1), 0);
    return 0; /* main ends; the run cancels and awaits `leftover` */
}

static int check_status_message(int status, const char *msg) {
    return status == WA_ETIMEDOUT && msg && strcmp(msg, "too slow") == 0 ? 0 : 1;
}

TEST_EX(run_status_is_mains_status, WA_ETIMEDOUT, check_status_message) {
    return wa_fail(WA_ETIMEDOUT, "too slow");
}

static int cleanup_in_child(void *arg) {
    (void)arg;
    int rc = wa_sleep(1e9);
    if (rc == WA_ECANCELLED) {
        /* cleanup that itself suspends is allowed to finish */
        wa_sleep(2);
        wa_log("cleaned");
    }
    return rc;
}

static int check_cleaned(int status, const char *msg) {
    (void)status;
    (void)msg;
    return strcmp(wa_log_text(), "cleaned") == 0 ? 0 : 1;
}

TEST_EX(leftover_cleanup_may_suspend, 0, check_cleaned) {
    CHECK_EQ(wa_spawn(NULL, cleanup_in_child, NULL, NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    return 0;
}

static int main_cancelled_status(int status, const char *msg) {
    return status == WA_ECANCELLED && msg && strcmp(msg, "abort main") == 0 ? 0 : 1;
}

TEST_EX(main_that_is_cancelled_ends_the_run_cancelled, WA_ECANCELLED, main_cancelled_status) {
    wa_cancel(wa_current_task(), "abort main");
    return wa_sleep(1000);
}

static int deadlock_status(int status, const char *msg) {
    (void)msg;
    return status == WA_EDEADLOCK ? 0 : 1;
}

/* Natively wa_run detects it; on the web the JS host does at Node's exit
 * (tested in tests/js/c_program.test.mjs). */
static int deadlocked(void *arg) {
    (void)arg;
    wa_future_t *f;
    int rc = wa_future_new(&f);
    if (rc) return rc;
    rc = wa_await(f); /* nobody will ever complete f */
    wa_release(f);
    return rc;
}

static wa_test_t deadlock_desc = {"main_waiting_forever_is_a_deadlock_not_a_hang", deadlocked,
                                  WA_EDEADLOCK, deadlock_status, 1, WA_CLOCK_HOST, NULL};
__attribute__((constructor)) static void deadlock_reg(void) { wa_test_register(&deadlock_desc); }

static int sleeper(void *arg) {
    (void)arg;
    return wa_sleep(1e9);
}

static int awaiter(void *arg) {
    return wa_await((wa_future_t *)arg);
}

TEST(debug_dump_tasks_says_what_each_task_waits_on) {
    wa_task_t *s, *a;
    CHECK_EQ(wa_spawn(&s, sleeper, NULL, &(wa_task_opts_t){.name = "sleepy"}), 0);
    CHECK_EQ(wa_spawn(&a, awaiter, s, &(wa_task_opts_t){.name = "waiter"}), 0);
    CHECK_EQ(wa_sleep(1), 0);
    size_t n = wa_dump_tasks(NULL, 0);
    CHECK(n > 0);
    char buf[512];
    CHECK_EQ(wa_dump_tasks(buf, sizeof buf), n);
    CHECK(strstr(buf, "task 'sleepy' sleeps\n") != NULL);
    CHECK(strstr(buf, "task 'waiter' awaits task 'sleepy'\n") != NULL);
    char small[8];
    CHECK_EQ(wa_dump_tasks(small, sizeof small), n);
    CHECK_EQ(strlen(small), 7u);
    CHECK_EQ(wa_set_debug(1, -1), WA_EINVAL);
    CHECK_EQ(wa_set_debug(1, 0), 0);
    CHECK_EQ(wa_set_debug(0, 0), 0);
    wa_cancel(a, NULL);
    wa_cancel(s, NULL);
    wa_release(a);
    wa_release(s);
    return 0;
}

#if !defined(__wasm__) /* native: the host's report goes to stderr, caught here */
/* Debug mode's slow-callback warning (asyncio's slow_callback_duration): a
 * task step that holds the loop longer than the threshold is reported,
 * naming the task. The step below blocks (a blocking sleep, as a careless
 * task makes one) for 60 ms against a 5 ms threshold: load only makes it
 * longer. The report goes to the host (stderr natively): caught here. */
static int hog(void *arg) {
    (void)arg;
    struct timespec left = {0, 60 * 1000 * 1000};
    while (nanosleep(&left, &left) != 0) {
    }
    return 0;
}

TEST_NATIVE(debug_slow_step_warning_names_the_task) {
    FILE *cap = tmpfile();
    CHECK(cap != NULL);
    fflush(stderr);
    int saved = dup(2);
    CHECK(saved >= 0);
    CHECK(dup2(fileno(cap), 2) >= 0);
    wa_task_t *t;
    int rc = wa_set_debug(1, 5);
    if (rc == 0) rc = wa_spawn(&t, hog, NULL, &(wa_task_opts_t){.name = "hog"});
    if (rc == 0) {
        rc = wa_await(t);
        wa_release(t);
    }
    wa_set_debug(0, 0);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    CHECK_EQ(rc, 0);
    char buf[2048];
    rewind(cap);
    size_t n = fread(buf, 1, sizeof buf - 1, cap);
    buf[n] = '\0';
    fclose(cap);
    CHECK(strstr(buf, "wasyncio: debug: a step of task 'hog' held the loop for ") != NULL);
    return 0;
}
#endif
