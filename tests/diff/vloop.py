# The oracle's event loop: CPython's own asyncio (BaseEventLoop, unchanged)
# on a virtual clock. When nothing is ready, time jumps to the earliest
# timer; when nothing is ready and no timer is left, the program is
# quiescent and the run ends. Two timers due in the same turn make the
# order unspecified in asyncio (its heap does not order equal deadlines):
# such a program is discarded (Tie).
import asyncio, heapq
from asyncio import base_events, events

# asyncio.TaskGroup keeps its tasks in a set, so the order in which _abort()
# cancels them (and they then run) is unspecified: it follows the objects'
# hashes. The oracle keeps them in insertion order instead (wasyncio's
# order), which is one of the orders CPython may take.
from asyncio import taskgroups


class _OrderedSet(dict):
    def add(self, x):
        self[x] = None

    def discard(self, x):
        self.pop(x, None)


_tg_init = taskgroups.TaskGroup.__init__


def _tg_init_ordered(self, *a, **k):
    _tg_init(self, *a, **k)
    self._tasks = _OrderedSet()


taskgroups.TaskGroup.__init__ = _tg_init_ordered

# asyncio.as_completed dedupes its awaitables through a set and registers
# its callback on each in that set's order, so futures that are already done
# come out in hash (address) order: it varied from run to run. The oracle
# registers them in argument order (wasyncio's), one of CPython's orders.
from asyncio import events as _events, queues as _queues, tasks as _tasks


class _OrderedTodo(_OrderedSet):
    def remove(self, x):
        del self[x]


def _ac_init_ordered(self, aws, timeout):
    self._done = _queues.Queue()
    self._timeout_handle = None
    loop = _events.get_event_loop()
    todo = _OrderedTodo()
    for aw in dict.fromkeys(aws):
        todo.add(_tasks.ensure_future(aw, loop=loop))
    for f in todo:
        f.add_done_callback(self._handle_completion)
    if todo and timeout is not None:
        self._timeout_handle = loop.call_later(timeout, self._handle_timeout)
    self._todo = todo
    self._todo_left = len(todo)


_tasks._AsCompletedIterator.__init__ = _ac_init_ordered


class Tie(Exception):
    pass

class Quiescent(Exception):
    pass

class _NoSelector:
    def select(self, timeout):
        return []

class VirtualLoop(base_events.BaseEventLoop):
    def __init__(self):
        super().__init__()
        # Every task of this run, held strongly: the stuck ones are read
        # from here, not from asyncio.all_tasks(), which once listed tasks
        # of earlier runs too (names twice, seeds 101042 and 102341 of the C
        # subset; all_tasks matches a task's loop by identity, and a freed
        # loop's address can come back), and no pending task is collected
        # (and closed) mid-run, as none is in wasyncio.
        self._made = []
        self._vtime = 0.0
        self._selector = _NoSelector()
        self._clock_resolution = 1e-9

    def time(self):
        return self._vtime

    def create_task(self, coro, **kwargs):
        task = super().create_task(coro, **kwargs)
        self._made.append(task)
        return task

    def _process_events(self, event_list):
        pass

    def _write_to_self(self):
        pass

    def _run_once(self):
        while self._scheduled and self._scheduled[0]._cancelled:
            self._timer_cancelled_count -= 1
            h = heapq.heappop(self._scheduled)
            h._scheduled = False
        if not self._ready:
            if not self._scheduled:
                raise Quiescent()
            w = self._scheduled[0]._when
            if w > self._vtime:
                self._vtime = w
        end = self._vtime + self._clock_resolution
        due = [h for h in self._scheduled if h._when < end and not h._cancelled]
        if len(due) > 1:
            raise Tie()
        super()._run_once()

def run(make_main):
    """Run make_main() as the task 'main' until the program is quiescent.
    Returns (status, stuck): status 'ok' or 'tie'; stuck, the sorted names
    of the tasks left waiting."""
    outer = events._get_running_loop()
    events._set_running_loop(None)
    loop = VirtualLoop()
    loop.set_exception_handler(lambda loop, ctx: None)
    status = 'ok'
    stuck = []
    try:
        events._set_running_loop(None)
        loop.create_task(make_main(), name='main')
        try:
            loop.run_forever()
        except Quiescent:
            pass
        except Tie:
            status = 'tie'
        stuck = sorted(t.get_name() for t in loop._made if not t.done())
        leftovers = [t for t in loop._made if not t.done()]
    finally:
        loop._stopping = False
        for t in loop._made:
            t._log_destroy_pending = False
        loop._made.clear()
        loop._ready.clear()
        loop._scheduled.clear()
        events._set_running_loop(None)
        loop.close()
        events._set_running_loop(outer)
    return status, stuck, leftovers


def _close(tasks):
    """Close the coroutines of tasks left waiting, now and with no loop
    running: else the garbage collector closes them during a later run,
    and a body that catches the GeneratorExit goes on there, creating tasks
    on that run's loop (C seed 1125: 'the oracle is not deterministic')."""
    for t in tasks:
        try:
            t.get_coro().close()
        except BaseException:
            pass


def run_program(src):
    import json
    ns = {}
    exec(compile(src, '<program>', 'exec'), ns)
    status, stuck, leftovers = run(lambda: ns['B0']('main'))
    out = json.dumps({'status': status, 'log': ns['LOG'], 'stuck': stuck})
    _close(leftovers)
    return out
