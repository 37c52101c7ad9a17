#!/usr/bin/python3
"""A systemd notify socket owned by a test.

Binds an AF_UNIX datagram socket at PATH and appends every message the
service sends to LOG, one line per datagram: CLOCK_MONOTONIC microseconds,
a tab, and the message with its newlines written as '|'. With --on-ready
CMD, runs CMD (through sh) the moment the first READY=1 arrives, before
reading anything else, and logs its exit status as "ON-READY-EXIT=N": a
service that says READY=1 before it is ready is caught in that window.
"""

import argparse
import os
import socket
import subprocess
import sys
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    parser.add_argument("log")
    parser.add_argument("--on-ready")
    args = parser.parse_args()

    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        os.unlink(args.path)
    except FileNotFoundError:
        pass
    sock.bind(args.path)
    ready_seen = False
    with open(args.log, "a", buffering=1) as log:
        log.write("LISTENING\n")
        while True:
            data = sock.recv(4096)
            now = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
            text = data.decode("utf-8", "replace").rstrip("\n").replace("\n", "|")
            log.write(f"{now}\t{text}\n")
            if args.on_ready and not ready_seen and "READY=1" in text.split("|"):
                ready_seen = True
                status = subprocess.call(["sh", "-c", args.on_ready])
                log.write(f"{now}\tON-READY-EXIT={status}\n")


if __name__ == "__main__":
    sys.exit(main())
