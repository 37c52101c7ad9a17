/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * credgatectl's side of the control socket: connect, send one request and
 * read the agent's answer. The protocol is in control_proto.h; this file
 * only moves bytes, so that the subcommands in credgatectl.c only say what
 * to ask and how to print it.
 */
#ifndef CREDGATE_CTL_CLIENT_H
#define CREDGATE_CTL_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

/*
 * For other programs than credgatectl (agent/oci/): the name that starts
 * what this file says on stderr (NULL: say nothing, the caller reports the
 * -errno), and a deadline for the whole exchange, connect to last byte
 * (@timeout_ms 0: none). A missed deadline returns -ETIMEDOUT.
 */
void ctl_client_configure(const char *program, int timeout_ms);

/*
 * Send @req to the agent at @socket_path and copy the reply to stdout (with
 * @streaming, line by line as it comes, until the agent hangs up). Returns 0,
 * 1 when the agent answered ERROR (the reason went to stderr instead), or
 * -errno after saying what failed on stderr.
 */
int ctl_request(const char *socket_path, const char *req, bool streaming);

/*
 * Send @req and read the whole reply (at most 16 MiB) into *reply (malloc'd,
 * NUL-terminated). Returns 0 with *error set when the agent answered ERROR
 * (the reason follows the first line), or -errno after saying what failed.
 */
int ctl_request_capture(const char *socket_path, const char *req, char **reply, size_t *reply_len, bool *error);

#endif /* CREDGATE_CTL_CLIENT_H */
