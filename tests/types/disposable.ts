// `using` / `await using` (projects whose lib declares Disposable: esnext).
import { Lock, Queue, WorkerPool, TaskGroup, Runtime, ready, asCompleted, sleep } from 'wasyncio';

const runtime = await ready();

export async function scoped() {
  using lock = new Lock();
  await using queue = new Queue();
  await using pool = new WorkerPool({ max: 1 });
  await using response = await runtime.fetch('http://127.0.0.1/');
  using it = asCompleted([sleep(1, 1)]);
  await using rt = await Runtime.create();
  const closed: boolean = rt.closed;
  const closing: Promise<void> = rt.close();
  await runtime.run(async (task) => {
    await using tg = new TaskGroup({ task }).enter();
    tg.createTask(async () => 1);
  });
}
