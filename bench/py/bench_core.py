"""W1 (spawn-gather) and W2 (switch) in CPython asyncio, same parameters as
bench/c/bench_core.c. Prints one JSON object per line.
usage: bench_core.py [--runs R] [--loop asyncio|uvloop]"""
import asyncio
import json
import sys
import time


async def w1(n):
    async def child(i):
        await asyncio.sleep(0)
        return i

    t0 = time.perf_counter()
    res = await asyncio.gather(*(asyncio.create_task(child(i)) for i in range(n)))
    dt = time.perf_counter() - t0
    assert sum(res) == n * (n - 1) // 2
    return dt * 1e3


async def w2(t, k):
    count = 0

    async def child():
        nonlocal count
        for _ in range(k):
            await asyncio.sleep(0)
            count += 1

    t0 = time.perf_counter()
    await asyncio.gather(*(asyncio.create_task(child()) for _ in range(t)))
    dt = time.perf_counter() - t0
    assert count == t * k
    return dt * 1e3


async def w4(n, kind):
    late = [0.0] * n

    async def child(i, ms):
        t0 = time.perf_counter()
        await asyncio.sleep(ms / 1e3)
        late[i] = (time.perf_counter() - t0) * 1e3 - ms

    x = 42
    sleeps = []
    for i in range(n):
        x = (1103515245 * x + 12345) % 2147483648
        sleeps.append(x % 101)
    t0 = time.perf_counter()
    await asyncio.gather(*(asyncio.create_task(child(i, ms)) for i, ms in enumerate(sleeps)))
    total = time.perf_counter() - t0
    late.sort()
    print(json.dumps({"workload": "W4", "kind": kind, "n": n, "value": round(total, 3), "unit": "s (ideal ~0.1)",
                      "better": "lower", "p50_late_ms": round(late[n // 2], 2),
                      "p99_late_ms": round(late[n * 99 // 100], 2)}), flush=True)


def report(w, ms, units, unit, kind):
    ms.sort()
    med = ms[len(ms) // 2]
    print(json.dumps({"workload": w, "kind": kind, "runs": len(ms), "median_ms": round(med, 3),
                      "min_ms": round(ms[0], 3), "max_ms": round(ms[-1], 3),
                      "rate": round(units / (med / 1e3)), "unit": unit}), flush=True)


async def main(runs, kind):
    await w4(20000, kind)
    await w1(10000)
    report("W1", [await w1(100000) for _ in range(runs)], 100000, "tasks/s", kind)
    await w2(1000, 100)
    report("W2", [await w2(1000, 1000) for _ in range(runs)], 1000 * 1000, "switches/s", kind)


if __name__ == "__main__":
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 5
    loop = sys.argv[sys.argv.index("--loop") + 1] if "--loop" in sys.argv else "asyncio"
    if loop == "uvloop":
        import uvloop  # noqa: only if installed
        uvloop.install()
    asyncio.run(main(runs, "cpython-" + loop + "-" + sys.version.split()[0]))
