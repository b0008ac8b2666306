"""How fast this machine's CPU is right now, for reading benchmark figures side by side.

The 2 shared cores here change speed from run to run (the same code measured 1.5 to 2.4 ms of
CPU per webhook post within an hour, with nothing else running), and machines differ between
sessions by a factor of about two. Each benchmark prints this before and after it runs: the
CPU milliseconds of a fixed pure-Python loop (lower is faster)."""

import time


def python_loop_ms(rounds: int = 30) -> float:
    start = time.process_time()
    for _ in range(rounds):
        sum(range(1_000_000))
    return round((time.process_time() - start) * 1000, 1)
