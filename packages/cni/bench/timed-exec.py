#!/usr/bin/env python3
"""Runs one CNI plugin the way a Go runtime does (posix_spawn, config on stdin, result on
stdout) and adds the plugin's wall time, spawn to exit, in microseconds to ELAPSED_FILE, so the
benchmark's shell (its forks, here-strings and command substitutions cost more than most
plugins) stays out of the figure.
Usage: timed-exec.py ELAPSED_FILE PLUGIN < config   (the environment is passed on unchanged)"""
import os
import sys
import time

elapsed_file, plugin = sys.argv[1], sys.argv[2]
config = sys.stdin.buffer.read()
stdin_r, stdin_w = os.pipe()
stdout_r, stdout_w = os.pipe()
start = time.perf_counter()
pid = os.posix_spawn(plugin, [plugin], dict(os.environ), file_actions=[
    (os.POSIX_SPAWN_DUP2, stdin_r, 0), (os.POSIX_SPAWN_DUP2, stdout_w, 1),
    (os.POSIX_SPAWN_CLOSE, stdin_w), (os.POSIX_SPAWN_CLOSE, stdout_r)])
os.close(stdin_r)
os.close(stdout_w)
try:
    os.write(stdin_w, config)
except BrokenPipeError:
    pass  # a plugin may exit without reading stdin (/bin/true; VERSION), as Go's exec allows
os.close(stdin_w)
chunks = []
while True:
    chunk = os.read(stdout_r, 65536)
    if not chunk:
        break
    chunks.append(chunk)
_, status = os.waitpid(pid, 0)
took = time.perf_counter() - start
with open(elapsed_file, "a") as f:
    f.write(f"{int(took * 1e6)}\n")
sys.stdout.buffer.write(b"".join(chunks))
sys.exit(os.waitstatus_to_exitcode(status))
