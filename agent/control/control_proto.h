/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The control socket protocol between credgatectl and credgated.
 *
 * A client connects to the agent's UNIX stream socket and sends a request:
 * lines of "key=value", ended by an empty line. Keys:
 *
 *   command   getevents | status | reload | metrics | unload | bind-container
 *   output    json | compact (getevents), json | text (status)
 *   kind      decision | kprobe | exec | lost   (getevents filters, each
 *   verdict   allowed | audited-would-deny | ... optional and ANDed)
 *   cgroup    a cgroup path: the event's cgroup or one below it
 *   container a container id prefix
 *   pod       a Kubernetes pod UID
 *   process   a POSIX extended regex on the binary (or comm)
 *   policy    a policy name
 *   pid       bind-container: the container's first process (its cgroup is the container's)
 *   bundle    bind-container: the OCI bundle directory (optional)
 *
 * Responses:
 *   getevents  one event per line, until the client closes. A client that
 *              reads too slowly misses events (it never slows the agent or
 *              other clients) and is told how many in a credgate_lost line.
 *   status     one JSON object (output=json) or text, then close.
 *   reload     "OK generation N" or "ERROR" followed by one line per
 *              problem (FILE:LINE:COL: error: ...), then close.
 *   metrics    Prometheus text exposition format, then close.
 *   unload     "OK" and what was removed; the agent then detaches every
 *              program, removes its pins and exits.
 *   bind-container  sent by the OCI hook and the runc wrapper before a
 *              container's first instruction (root only): the agent puts
 *              the cgroup of pid= under the policy that the container's
 *              identity (read from the runtime's own state, never from the
 *              request) selects, then answers "OK governed POLICY MODE" or
 *              "OK ungoverned", or "ERROR" and why.
 *
 * Any problem with the request: "ERROR" and a line saying what, then close.
 */
#ifndef CREDGATE_CONTROL_PROTO_H
#define CREDGATE_CONTROL_PROTO_H

#define CONTROL_SOCKET_PATH "/run/credgate/credgated.sock"
#define CONTROL_MAX_REQUEST 8192
#define CONTROL_MAX_REQUEST_LINES 32

#endif /* CREDGATE_CONTROL_PROTO_H */
