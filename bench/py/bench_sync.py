#!/usr/bin/env python3
"""CPython asyncio twins of bench/c/bench_sync.c, same workloads and
parameters, one JSON object per line (DESIGN.md):

  W3 queue: 1 producer, 4 consumers, Queue(maxsize=100), m items,
     task_done + join; every item seen exactly once          -> items/s
  W5 limited-io: r requests, each sleeps 10 ms holding a Semaphore(50);
     check peak concurrency == 50                             -> s, s/0.2
  W6 memory: n tasks wait on one Event; (traced memory with the tasks
     waiting - before) / n (tracemalloc); then set, all finish -> B/task

  python3 bench/py/bench_sync.py [w3 M] [w5 R] [w6 N] [--runs K] [--uvloop]
"""
import asyncio
import json
import platform
import sys
import time
import tracemalloc


def kind():
    return "cpython-asyncio-" + platform.python_version()


async def w3(m):
    q = asyncio.Queue(maxsize=100)
    seen = bytearray(m)
    bad = 0

    async def consumer():
        nonlocal bad
        while True:
            i = await q.get()
            if seen[i]:
                bad += 1
            seen[i] = 1
            q.task_done()

    t0 = time.perf_counter()
    cons = [asyncio.create_task(consumer()) for _ in range(4)]
    for i in range(m):
        await q.put(i)
    await q.join()
    dt = time.perf_counter() - t0
    for c in cons:
        c.cancel()
    await asyncio.gather(*cons, return_exceptions=True)
    if bad or seen.count(1) != m:
        sys.exit("W3: items not seen exactly once")
    return dt * 1e3


async def w5(r):
    sem = asyncio.Semaphore(50)
    cur = peak = 0

    async def request():
        nonlocal cur, peak
        async with sem:
            cur += 1
            peak = max(peak, cur)
            await asyncio.sleep(0.010)
            cur -= 1

    t0 = time.perf_counter()
    tasks = [asyncio.create_task(request()) for _ in range(r)]
    await asyncio.gather(*tasks)
    dt = time.perf_counter() - t0
    if peak != 50:
        sys.exit(f"W5: peak concurrency {peak}, expected 50")
    return dt * 1e3, peak


async def w6(n):
    ev = asyncio.Event()
    done = asyncio.Event()
    started = finished = 0

    async def waiter():
        nonlocal started, finished
        started += 1
        await ev.wait()
        finished += 1
        if finished == n:
            done.set()

    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    t0 = time.perf_counter()
    for _ in range(n):  # fire and forget, as the C version
        asyncio.create_task(waiter())
    while started < n:
        await asyncio.sleep(0)
    t1 = time.perf_counter()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    ev.set()
    await done.wait()
    t2 = time.perf_counter()
    if finished != n:
        sys.exit(f"W6: {finished} of {n} finished")
    return after - before, (t1 - t0) * 1e3, (t2 - t1) * 1e3


def emit(d):
    print(json.dumps(d), flush=True)


async def amain(args):
    runs = args["runs"]
    if "w3" in args["do"]:
        m = args["w3"]
        await w3(m // 10)
        ms = sorted([await w3(m) for _ in range(runs)])
        med = ms[runs // 2]
        emit({"workload": "W3", "kind": kind(), "m": m, "runs": runs, "median_ms": round(med, 3),
              "min_ms": round(ms[0], 3), "max_ms": round(ms[-1], 3),
              "rate": round(m / (med / 1e3)), "unit": "items/s"})
    if "w5" in args["do"]:
        r = args["w5"]
        n = min(runs, 3)
        await w5(100)
        res = sorted([(await w5(r))[0] for _ in range(n)])
        med = res[n // 2]
        ideal = r / 50 * 10.0
        emit({"workload": "W5", "kind": kind(), "requests": r, "runs": n, "median_ms": round(med, 3),
              "min_ms": round(res[0], 3), "max_ms": round(res[-1], 3), "seconds": round(med / 1e3, 4),
              "ratio": round(med / ideal, 3), "peak": 50, "unit": "s"})
    if "w6" in args["do"]:
        n = args["w6"]
        delta, spawn_ms, finish_ms = await w6(n)
        emit({"workload": "W6", "kind": kind(), "n": n, "bytes_per_task": round(delta / n, 1),
              "heap_delta": delta, "spawn_ms": round(spawn_ms, 1), "finish_ms": round(finish_ms, 1),
              "note": "tracemalloc (slows spawn)", "unit": "B/task"})


def main(argv):
    args = {"w3": 200000, "w5": 1000, "w6": 100000, "runs": 5, "do": set()}
    uv = False
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("w3", "w5", "w6") and i + 1 < len(argv):
            args[a] = int(argv[i + 1])
            args["do"].add(a)
            i += 1
        elif a == "--runs" and i + 1 < len(argv):
            args["runs"] = max(1, min(31, int(argv[i + 1])))
            i += 1
        elif a == "--uvloop":
            uv = True
        i += 1
    if not args["do"]:
        args["do"] = {"w3", "w5", "w6"}
    if uv:
        import uvloop  # optional
        uvloop.install()
    asyncio.run(amain(args))


if __name__ == "__main__":
    main(sys.argv[1:])
