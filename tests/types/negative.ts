// Wrong uses the types must reject (each line below is an error; tsc fails
// if one is not).
import { createTask, run, sleep, gather, Queue, PriorityQueue, Semaphore, WorkerPool, timeout, TaskGroup, Runtime, Task, waitFor } from 'wasyncio';

// @ts-expect-error not a task body
createTask(42);
// @ts-expect-error options must be an object with known keys
createTask(async () => 1, { nmae: 'x' });
// @ts-expect-error result type is inferred: not a string
const t1: Task<string> = createTask(async () => 1);
// @ts-expect-error run resolves to the body's result
const r1: Promise<string> = run(async () => 5);
// @ts-expect-error sleep takes milliseconds as a number
sleep('10');
// @ts-expect-error signal must be an AbortSignal
sleep(10, undefined, { signal: 'abort' });
const q = new Queue<number>();
// @ts-expect-error the queue holds numbers
q.putNowait('x');
// @ts-expect-error maxsize is a number
new Queue({ maxsize: '3' });
// @ts-expect-error priority is a number
new PriorityQueue<string>().putNowait('a', 'high');
// @ts-expect-error initial value is a number
new Semaphore('3');
// @ts-expect-error unknown pool option
new WorkerPool({ workers: 2 });
// @ts-expect-error job arguments are an array
new WorkerPool().run('add', 1, 2);
// @ts-expect-error a timeout needs a body
timeout(100);
// @ts-expect-error TaskGroup options: task must be a Task
new TaskGroup({ task: 'main' });
// @ts-expect-error Runtime.create takes an options object
Runtime.create('./add.mjs');
// @ts-expect-error waitFor needs a timeout (ms or null)
waitFor(sleep(1));
async function f() {
  // @ts-expect-error gather's results are typed per position
  const [a, b]: [string, string] = await gather(sleep(1, 1), sleep(1, 'x'));
}
