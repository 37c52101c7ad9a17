#!/bin/sh
# Prometheus metrics, from the socket (credgatectl metrics) and from
# --metrics-file (node_exporter's textfile collector): well-formed, and the
# counts are the decisions made: by hook and verdict (the kernel's count),
# by policy (the events), governed cgroups, cached processes, the ring
# buffer, and per-program run counts while kernel.bpf_stats_enabled is on.
. "$(dirname "$0")/preamble.inc"

CHECK=$(dirname "$CREDGATE_LIB")/../tools/check_metrics.py
STATS_WAS=$(cat /proc/sys/kernel/bpf_stats_enabled)
restore_stats() { echo "$STATS_WAS" > /proc/sys/kernel/bpf_stats_enabled; }
trap 'restore_stats; cleanup' EXIT INT TERM

cg_setup metrics
A=$(cg_make A)
write_policy "$TEST_TMP/p.yaml" metrics-audit audit "$(cg_rel A)"
PROM="$TEST_TMP/credgate.prom"
agent_start --policy "$TEST_TMP/p.yaml" --metrics-file "$PROM" || fail "agent did not start"
[ -s "$PROM" ] || fail "no metrics file written at start"
/usr/bin/python3 "$CHECK" "$PROM" || fail "the metrics file is not a valid exposition"

echo 1 > /proc/sys/kernel/bpf_stats_enabled
# Three audited changes to 0 (setuid hook), one allowed change away from 0.
"$CREDOP" --cgroup "$A" seteuid:1000=ok seteuid:0=ok seteuid:1000=ok seteuid:0=ok seteuid:1000=ok seteuid:0=ok \
	> /dev/null || fail "credop"
restore_stats
i=0
until [ "$(count_events '.credgate_decision.verdict=="audited-would-deny"')" -ge 3 ]; do
	i=$((i + 1)); [ "$i" -le 50 ] || fail "the decisions were not reported"; sleep 0.1
done

ctl metrics > "$TEST_TMP/scrape.prom" || fail "credgatectl metrics"
/usr/bin/python3 "$CHECK" "$TEST_TMP/scrape.prom" || fail "credgatectl metrics is not a valid exposition"
value() { awk -v series="$1" '$1 == series { print $2 }' "$TEST_TMP/scrape.prom"; }
[ "$(value 'credgate_hook_decisions_total{hook="task_fix_setuid",verdict="audited-would-deny"}')" = 3 ] ||
	fail "hook/verdict count: $(grep hook_decisions "$TEST_TMP/scrape.prom" | grep -v ' 0$')"
[ "$(value 'credgate_policy_decisions_total{policy="metrics-audit",verdict="audited-would-deny"}')" = 3 ] ||
	fail "policy/verdict count: $(grep policy_decisions "$TEST_TMP/scrape.prom")"
[ "$(value 'credgate_governed_cgroups')" = 1 ] || fail "governed cgroups: $(value credgate_governed_cgroups)"
[ "$(value 'credgate_processes_cached')" -gt 10 ] || fail "process cache size: $(value credgate_processes_cached)"
[ "$(value 'credgate_ringbuf_size_bytes')" = 4194304 ] || fail "ring buffer size"
grep -q '^credgate_ringbuf_pending_bytes [0-9]*$' "$TEST_TMP/scrape.prom" || fail "no ring buffer fill"
# The setuid tracepoint programs ran while statistics were on.
grep '^credgate_bpf_program_runs_total{program="observe_bpf-cg_tp_' "$TEST_TMP/scrape.prom" | grep -vq ' 0$' ||
	fail "no program run counts: $(grep bpf_program_runs "$TEST_TMP/scrape.prom")"
grep '^credgate_bpf_program_run_nanoseconds_total{' "$TEST_TMP/scrape.prom" | grep -vq ' 0$' ||
	fail "no program run time"
log "ok: counts by hook, policy, cgroups, processes, ring buffer and programs"

# The file is rewritten at stop with the final counts.
agent_stop
grep -qF 'credgate_policy_decisions_total{policy="metrics-audit",verdict="audited-would-deny"} 3' "$PROM" ||
	fail "the metrics file does not hold the final counts"
[ ! -e "$PROM.tmp" ] || fail "a temporary metrics file was left behind"
log "ok: metrics file"
cleanup
