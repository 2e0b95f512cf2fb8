/* Demo 5: CPU-heavy work on a pool of Web Workers, next to the same work
 * on the main thread.
 *
 * The work: a Mandelbrot image, cut into horizontal bands. Every band is a
 * task.
 *   pool  each band task hands its band to a worker of the pool
 *         (wa_run_in_executor) and waits: the page's thread stays free, so
 *         it keeps drawing frames (asyncio: loop.run_in_executor).
 *   main  each band task computes its band itself, on the page's thread,
 *         one band after the other. Between two bands the loop yields to
 *         the browser (its turn budget is spent), which can draw a frame,
 *         but never in the middle of one: a band that computes for 300 ms
 *         freezes the page for 300 ms.
 * Both ways run the same C function on the same bands, so the images (and
 * their checksums) are identical.
 *
 * The page starts render("mode=pool&bands=8&workers=2&w=640&h=400&iter=3000")
 * with runtime.spawnC and gets every band through the JS function "band". */
#include "demo.h"

typedef struct {
    uint32_t y0, rows, w, h, maxiter, index;
    double cx, cy, width; /* centre and width of the view */
} band_t;

/* Iteration counts of rows y0 .. y0+rows of the image, into out. Polls for
 * cancellation between rows when run as a job. */
static int mandel(const band_t *b, uint16_t *out, bool job) {
    double scale = b->width / b->w;
    for (uint32_t y = 0; y < b->rows; y++) {
        if (job && wa_job_cancelled()) return WA_ECANCELLED;
        double ci = b->cy + ((double)(b->y0 + y) - b->h / 2.0) * scale;
        for (uint32_t x = 0; x < b->w; x++) {
            double cr = b->cx + ((double)x - b->w / 2.0) * scale;
            double zr = 0, zi = 0, zr2 = 0, zi2 = 0;
            uint32_t n = 0;
            while (n < b->maxiter && zr2 + zi2 <= 4.0) {
                zi = 2 * zr * zi + ci;
                zr = zr2 - zi2 + cr;
                zr2 = zr * zr;
                zi2 = zi * zi;
                n++;
            }
            out[y * b->w + x] = (uint16_t)(n > 65535 ? 65535 : n);
        }
    }
    return 0;
}

/* ---- the job (runs in a worker): input a band_t, output its pixels ------- */

static int mandel_job(const uint8_t *in, size_t len, wa_job_out_t *out) {
    band_t b;
    if (len != sizeof b) return wa_job_fail(out, WA_EINVAL, "want a band_t");
    memcpy(&b, in, sizeof b);
    uint16_t *px = wa_job_output(out, (size_t)b.w * b.rows * 2);
    if (!px) return WA_ENOMEM;
    return mandel(&b, px, true);
}
WA_EXPORT_JOB(mandel_job)

static int warm_job(const uint8_t *in, size_t len, wa_job_out_t *out) {
    (void)in, (void)len, (void)out;
    return wa_sleep(50);
}

/* ---- band tasks ---------------------------------------------------------- */

typedef struct {
    band_t band;
    wa_pool_t *pool;  /* NULL: compute here, on the main thread */
    uint16_t *pixels; /* where the band goes in the whole image */
    double ms;
} band_task_t;

/* Hand the band to the page: 4 bytes of band index, then the pixels. */
static void show_band(const band_task_t *bt) {
    size_t n = (size_t)bt->band.w * bt->band.rows * 2;
    uint8_t *buf = malloc(4 + n);
    if (!buf) return;
    memcpy(buf, &bt->band.index, 4);
    memcpy(buf + 4, bt->pixels, n);
    wa_value_t *v = wa_value_bytes(buf, 4 + n);
    free(buf);
    wa_future_t *f = NULL;
    if (v && wa_js_call("band", v, &f) == 0) wa_release(f);
    wa_value_free(v);
}

static int band_task(void *arg) {
    band_task_t *bt = arg;
    double t0 = wa_time();
    int rc;
    if (bt->pool) {
        wa_future_t *f = NULL;
        rc = wa_run_in_executor(bt->pool, mandel_job, &bt->band, sizeof bt->band, &f); /* waits */
        const wa_value_t *v = rc == 0 ? wa_future_value(f) : NULL;
        if (v && v->type == WA_VALUE_BYTES && v->len == bt->band.w * bt->band.rows * 2)
            memcpy(bt->pixels, v->u.bytes, v->len);
        else if (rc == 0)
            rc = wa_fail(WA_EFAILED, "bad job output");
        wa_release(f);
    } else {
        rc = mandel(&bt->band, bt->pixels, false); /* blocks this thread */
    }
    bt->ms = wa_time() - t0;
    if (rc == 0) show_band(bt);
    return rc;
}

static int render(void *argp) {
    const wa_value_t *arg = argp;
    char mode[16] = "pool";
    param_str(arg, "mode", mode, sizeof mode);
    bool pool_mode = strcmp(mode, "main") != 0;
    int nb = (int)param_num(arg, "bands", 8, 1, 64);
    int workers = (int)param_num(arg, "workers", 2, 1, 16);
    band_t view = {
        .w = (uint32_t)param_num(arg, "w", 640, 16, 2048),
        .h = (uint32_t)param_num(arg, "h", 400, 16, 2048),
        .maxiter = (uint32_t)param_num(arg, "iter", 3000, 1, 65535),
        .cx = param_num(arg, "cx", -0.6, -3, 3),
        .cy = param_num(arg, "cy", 0, -3, 3),
        .width = param_num(arg, "width", 3.2, 1e-12, 8),
    };
    if ((uint32_t)nb > view.h) nb = (int)view.h;
    uint16_t *image = calloc((size_t)view.w * view.h, 2);
    band_task_t *bts = calloc((size_t)nb, sizeof *bts);
    wa_task_t **tasks = calloc((size_t)nb, sizeof *tasks);
    wa_pool_t *pool = NULL;
    int rc = image && bts && tasks ? 0 : WA_ENOMEM;

    if (rc == 0 && pool_mode) {
        wa_pool_opts_t po = {.min_workers = (uint32_t)workers, .max_workers = (uint32_t)workers};
        rc = wa_pool_new(&pool, &po);
        /* start the workers before the clock starts: one warm-up job each */
        wa_future_t *warm[16] = {0}, *all = NULL;
        double w0 = wa_time();
        for (int i = 0; rc == 0 && i < workers; i++) rc = wa_run_in_executor_start(pool, warm_job, NULL, 0, &warm[i]);
        if (rc == 0) rc = wa_gather(&all, warm, (size_t)workers, 0);
        if (rc == 0) rc = wa_await(all);
        wa_release(all);
        for (int i = 0; i < workers; i++) wa_release(warm[i]);
        report("{\"ev\":\"warm\",\"ms\":%.1f}", wa_time() - w0);
    }

    double t0 = wa_time();
    report("{\"ev\":\"begin\",\"mode\":\"%s\",\"t\":%.3f,\"bands\":%d,\"w\":%u,\"h\":%u}", mode, t0, nb,
           view.w, view.h);
    int spawned = 0;
    for (int i = 0; rc == 0 && i < nb; i++) {
        band_task_t *bt = &bts[i];
        bt->band = view;
        bt->band.index = (uint32_t)i;
        bt->band.y0 = (uint32_t)((uint64_t)view.h * (uint32_t)i / (uint32_t)nb);
        bt->band.rows = (uint32_t)((uint64_t)view.h * (uint32_t)(i + 1) / (uint32_t)nb) - bt->band.y0;
        bt->pool = pool;
        bt->pixels = image + (size_t)bt->band.y0 * view.w;
        char name[40];
        snprintf(name, sizeof name, pool_mode ? "band %d (worker)" : "band %d (main thread)", i + 1);
        wa_task_opts_t o = {.name = name, .stack_size = 32 * 1024};
        rc = wa_spawn(&tasks[i], band_task, bt, &o);
        if (rc == 0) spawned++;
        /* main thread: one band after the other (there is one thread) */
        if (rc == 0 && !pool_mode) rc = wa_await(tasks[i]);
    }
    wa_future_t *all = NULL;
    if (rc == 0) rc = wa_gather(&all, tasks, (size_t)spawned, 0);
    if (rc == 0) rc = wa_await(all);
    wa_release(all);
    double total = wa_time() - t0;
    if (rc) cancel_and_wait(tasks, spawned); /* stopped */

    /* checksum of the whole image: the same for both ways */
    uint32_t h = 2166136261u;
    const uint8_t *p = (const uint8_t *)image;
    for (size_t i = 0; image && i < (size_t)view.w * view.h * 2; i++) h = (h ^ p[i]) * 16777619u;
    double slowest = 0;
    for (int i = 0; i < spawned; i++) {
        if (bts[i].ms > slowest) slowest = bts[i].ms;
        wa_future_status(tasks[i]);
        wa_release(tasks[i]);
    }
    report("{\"ev\":\"end\",\"mode\":\"%s\",\"ms\":%.3f,\"checksum\":\"%08x\",\"slowestBand\":%.3f,\"stopped\":%s}",
           mode, total, (unsigned)h, slowest, rc ? "true" : "false");
    if (pool) {
        wa_pool_shutdown(pool, WA_POOL_CANCEL_PENDING, NULL);
        wa_pool_free(pool);
    }
    free(image);
    free(bts);
    free(tasks);
    return rc;
}
WA_EXPORT_CORO(render)
