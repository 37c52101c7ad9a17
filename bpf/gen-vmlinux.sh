#!/bin/sh
# Regenerate bpf/vmlinux.h from a kernel's BTF. The committed header came
# from the build machines' 6.18 kernel; regenerate only to use types that
# header lacks, and keep every access CO-RE relocatable (BPF_CORE_READ,
# bpf_core_field_offset) so one header serves 6.1 through 6.18.
set -eu
btf=${1:-/sys/kernel/btf/vmlinux}
out=$(dirname "$0")/vmlinux.h
bpftool btf dump file "$btf" format c > "$out.tmp"
mv "$out.tmp" "$out"
echo "wrote $out from $btf"
