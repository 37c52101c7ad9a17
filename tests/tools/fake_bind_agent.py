#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A stand-in for credgated's control socket, as credgate-oci-hook and
credgate-runc see it (tests/host/oci_hook.sh, runc_wrapper.sh): it reads one
request (key=value lines up to an empty line, at most 8192 bytes, as the
agent does), appends it to a transcript as one line, `agent ` and the
request's lines as a JSON array, and answers as told:

  ok       "OK governed web enforce"
  error    "ERROR" and a reason
  silent   nothing, and keeps the connection open (an agent that hangs)
  close    hangs up without a word
  garbage  a line that is neither OK nor ERROR

Usage: fake_bind_agent.py SOCKET TRANSCRIPT MODE
"""
import json
import os
import socket
import sys

ANSWERS = {
    "ok": b"OK governed web enforce\n",
    "error": b"ERROR\ncontainer 42 is not in a cgroup of its own\n",
    "garbage": b"HELLO there\n",
}


def main():
    path, transcript, mode = sys.argv[1:4]
    if mode not in ("ok", "error", "silent", "close", "garbage"):
        sys.exit(f"fake_bind_agent: unknown mode {mode}")
    tmp = path + ".tmp"
    for p in (path, tmp):
        if os.path.exists(p):
            os.unlink(p)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(tmp)
    srv.listen(16)
    # The socket appears under its name only once it listens: a test that
    # waits for the name never meets ECONNREFUSED from a half-made server.
    os.rename(tmp, path)
    hanging = []
    while True:
        conn, _ = srv.accept()
        data = b""
        while b"\n\n" not in data and len(data) < 8192:
            chunk = conn.recv(8192)
            if not chunk:
                break
            data += chunk
        lines = data.decode("utf-8", "replace").split("\n\n")[0].split("\n")
        with open(transcript, "a") as f:
            f.write("agent " + json.dumps(lines, separators=(",", ":")) + "\n")
        if mode == "silent":
            hanging.append(conn)
            continue
        if mode in ANSWERS:
            conn.sendall(ANSWERS[mode])
        conn.close()


if __name__ == "__main__":
    main()
