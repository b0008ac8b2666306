"""How fast this machine's CPU is right now, for reading benchmark figures side by side.

The 2 shared cores here change speed from run to run (the same code measured 1.2 to 2.5 ms of
CPU per webhook post within an hour, with nothing else running), and machines differ between
sessions by a factor of about two. Each benchmark prints this before and after it runs: the
CPU milliseconds of a fixed pure-Python loop (lower is faster), alone and on both cores at once
(the second shows whether the two cores slow each other down, as hyperthreads of one physical
core would)."""

import multiprocessing
import time


def python_loop_ms(rounds: int = 30) -> float:
    start = time.process_time()
    for _ in range(rounds):
        sum(range(1_000_000))
    return round((time.process_time() - start) * 1000, 1)


def _loop_into(result) -> None:
    result.value = python_loop_ms()


def python_loop_both_cores_ms() -> float:
    """The same loop in two processes at once; the slower one's CPU milliseconds."""
    ctx = multiprocessing.get_context("fork")
    results = [ctx.Value("d", 0.0) for _ in range(2)]
    procs = [ctx.Process(target=_loop_into, args=(r,)) for r in results]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join()
    return round(max(r.value for r in results), 1)


def speed() -> str:
    return (
        f"Python loop {python_loop_ms()} ms alone, {python_loop_both_cores_ms()} ms on both cores"
    )
