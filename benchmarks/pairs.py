#!/usr/bin/env python3
"""Paired timing: commands run in turn after a warm-up, medians, min–max and ratios round by round.

usage: pairs.py ROUNDS COMMAND_A COMMAND_B [COMMAND_C] [COMMAND_D]   → a Markdown table on stdout

Each COMMAND is a shell command line. One warm-up run of each (not counted: it fills the page
cache and checks the outputs), then ROUNDS rounds; the order turns each round (A B C, then C B A,
…) so that no command always runs right after the same other one. Per command: wall time (median,
min–max), CPU time (user + system of the process and of the children it waited for), peak memory
(the kernel's peak RSS of the largest process; for a command that forks, the sum of its processes'
proportional set sizes sampled every 20 ms when larger). Ratios are taken round by round against COMMAND_A (the same round's
runs), then their median: on a machine shared with other jobs the ranges are wide, and the ratio
of the same round is the figure to quote. Used by bench.py; also runnable alone.
"""
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Run:
    """One run: wall and CPU seconds, peak RSS in MiB, exit status, and whatever `after` added."""
    wall: float
    cpu: float
    rss: float
    code: int
    extra: dict = field(default_factory=dict)


def tree_pss(pid):
    """Memory (MiB) of a process tree that forked: the sum of its processes' proportional set sizes
    (shared pages split between the processes sharing them; RSS would count them in each); 0 while
    the tree holds at most `pid` and one child, whose peak the kernel reports exactly."""
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        try:
            for tid in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{tid}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except (FileNotFoundError, ProcessLookupError, ValueError):
            pass
    if len(pids) <= 2:
        return 0.0
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("Pss:"))
        except (FileNotFoundError, ProcessLookupError, StopIteration, ValueError):
            pass
    return total / 1024


def run(command, cwd=None, stderr=None):
    """Runs a shell command line (stdout discarded) under GNU time, whose small process is the one
    forked (a child forked from this Python process would start with its RSS as a floor);
    `stderr` is a path (or None: inherited)."""
    err = open(stderr, "wb") if stderr else None
    with tempfile.NamedTemporaryFile("r") as usage:
        try:
            started = time.perf_counter()
            p = subprocess.Popen(["/usr/bin/time", "-f", "%U %S %M", "-o", usage.name, "bash", "-c", command],
                                 cwd=cwd, stdout=subprocess.DEVNULL, stderr=err)
            peak, done = [0.0], threading.Event()

            def sample():
                while not done.wait(0.02):
                    peak[0] = max(peak[0], tree_pss(p.pid))

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            code = p.wait()
            wall = time.perf_counter() - started
            done.set()
            sampler.join()
        finally:
            if err:
                err.close()
        # The last line: "Command exited with non-zero status N" comes before it.
        user, system, max_kib = usage.read().split("\n")[-2].split()
    # %M: KiB, the largest single process of the tree (Linux).
    return Run(wall, float(user) + float(system), max(int(max_kib) / 1024, peak[0]), code)


def compare(commands, rounds, after=None, warm_up=True, log=sys.stderr):
    """Runs `commands` ({name: (command line, cwd, stderr path or None)}) once each (the warm-up,
    unless `warm_up` is false), then `rounds` rounds in turning order. `after(name, run)` is called
    after every run, warm-up included (checks, extra figures; it may raise).
    Returns {name: [Run of each round]} (the warm-up dropped)."""
    names = list(commands)
    results = {n: [] for n in names}
    for r in range(0 if warm_up else 1, rounds + 1):
        order = names if r % 2 == 0 else names[::-1]
        for n in order:
            command, cwd, stderr = commands[n]
            result = run(command, cwd=cwd, stderr=stderr)
            if result.code != 0:
                raise SystemExit(f"{n} failed (exit {result.code}): {command}" + (f" (see {stderr})" if stderr else ""))
            if after:
                after(n, result)
            if r > 0:
                results[n].append(result)
            print(f"  {'warm-up' if r == 0 else f'round {r}'}: {n} {result.wall:.2f} s wall, {result.cpu:.2f} s CPU, "
                  f"{result.rss:.0f} MiB", file=log, flush=True)
    return results


def median_range(values, digits=2):
    """'median (min–max)'."""
    return f"{statistics.median(values):.{digits}f} ({min(values):.{digits}f}–{max(values):.{digits}f})"


def ratios(a, b):
    """a ÷ b, round by round (two lists of seconds)."""
    return [x / y for x, y in zip(a, b)]


def table(results, first=None, mb=None):
    """A Markdown table: wall, CPU, peak RSS (MB/s of `mb` when given), and `first`'s time ÷ each
    row's, round by round. `results`: {name: [Run]} ({name: [seconds]} rows are derived figures,
    such as a stage's time read from a log: wall only)."""
    first = first or next(iter(results))
    walls = {n: [r.wall if isinstance(r, Run) else r for r in runs] for n, runs in results.items()}
    lines = ["| command | wall (s), median (min–max) | CPU (s) | peak memory (MiB) |" + (" MB/s |" if mb else "")
             + f" {first} ÷ this, round by round |",
             "|---|---:|---:|---:|" + ("---:|" if mb else "") + "---:|"]
    for n, runs in results.items():
        full = all(isinstance(r, Run) for r in runs)
        cpu_rss = f"{statistics.median(r.cpu for r in runs):.2f} | {max(r.rss for r in runs):.0f}" if full else " | "
        row = f"| {n} | {median_range(walls[n])} | {cpu_rss} |"
        if mb:
            row += f" {mb / statistics.median(walls[n]):,.0f} |"
        row += " |" if n == first else f" {median_range(ratios(walls[first], walls[n]))} |"
        lines.append(row)
    return "\n".join(lines)


def load():
    """The load averages, as text."""
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


if __name__ == "__main__":
    from usage import check_arguments

    check_arguments(__doc__)
    cmds = {c: (c, None, None) for c in sys.argv[2:]}
    print(f"{load()} before")
    print(table(compare(cmds, int(sys.argv[1]))))
    print(f"{load()} after")
