"""What profile_url.py and profile_scenario.py share: timing a request many times and
printing where a profiled run spent its time."""

from __future__ import annotations

import cProfile
import io
import pstats
import statistics
import time
from collections.abc import Callable


def timing(send: Callable[[], object], repeat: int) -> str:
    """Send `repeat` requests without the profiler: the median and minimum wall and CPU
    time of this process (PostgreSQL's CPU left out), as one line."""
    times, cpu_times = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        send()
        times.append((time.perf_counter() - start) * 1000)
        cpu_times.append((time.process_time() - start_cpu) * 1000)
    return (
        f"{repeat} requests: wall median {statistics.median(times):.2f} ms, min {min(times):.2f} ms; "
        f"CPU of this process median {statistics.median(cpu_times):.2f} ms, min {min(cpu_times):.2f} ms"
    )


def print_profile(send: Callable[[], object], repeat: int, top: int) -> None:
    """Send `repeat` requests under cProfile and print the `top` functions by cumulative
    and by own time. The profiler slows Python-heavy code down: read its figures as shares."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeat):
        send()
    profiler.disable()
    for order in ("cumulative", "tottime"):
        buffer = io.StringIO()
        pstats.Stats(profiler, stream=buffer).strip_dirs().sort_stats(order).print_stats(top)
        print(f"\n--- {repeat} request(s) under cProfile, by {order} ---")
        print(buffer.getvalue().split("\n", 4)[-1].rstrip())
