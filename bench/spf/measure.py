#!/usr/bin/python3
"""measure.py LABEL RUNS command... : runs the command RUNS times (inside the benchmark's namespace) and prints
"LABEL median_ms run1 run2 ..." on stdout and the last run's output (first 70 bytes) on stderr.

The clock is read right around fork/exec/wait (time.perf_counter), so a run costs only the process itself plus
about a millisecond of spawning, the same for every tool; a shell loop with `$(...)` and `date` calls added about
20 ms to every run, which made fast runs look slower relative to slow ones."""
import statistics
import subprocess
import sys
import time


def main():
    label, runs, command = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    times = []
    out = b''
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
        times.append(round((time.perf_counter() - start) * 1000))
        out = done.stdout
    print(label, int(statistics.median(times)), *times)
    sys.stderr.write(out[:70].decode('utf-8', 'replace').replace('\n', ' ') + '\n')


if __name__ == '__main__':
    main()
