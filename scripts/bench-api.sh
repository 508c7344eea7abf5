#!/usr/bin/env bash
# bench-api.sh: vpclab serve against moto_server, the same EC2 API workload on loopback.
#
# Starts `vpclab serve --state FILE` (durable: every write is fsynced before its reply, as
# by default) and `moto_server` (state in memory only) on free loopback ports, runs the same
# mixed workload against each in turn with scripts/benchapi (a small Go client, built here,
# so the client costs both servers the same), prints a Markdown table per operation class
# (creates, describes with filters, deletes: count, throughput, p50 and p99 latency, and
# vpclab's figures over moto's), and stops both servers, leaving nothing behind.
#
# A round is CreateVpc, CreateSubnet x2, CreateSecurityGroup, AuthorizeSecurityGroupIngress,
# CreateRouteTable and CreateTags; DescribeVpcs, DescribeSubnets and DescribeSecurityGroups
# with filters (vpc-id, tag:Name with a wildcard, cidr, cidr-block, group-name); then the
# deletes in dependency order. PRELOAD VPCs (each with two subnets and a security group) are
# created untimed first, so the filters search a lab of some size. The workload is seeded:
# both servers get the same requests. Every answer must be HTTP 200 and every describe must
# name what it selects; failures are listed under the table and the exit status is 1.
#
# Usage: scripts/bench-api.sh [--ops N] [--clients C] [--preload P] [--keep DIR] [VPCLAB_BIN]
#   --ops N      rounds of the workload, between all clients (default 200; 18 requests each)
#   --clients C  concurrent clients (default 4)
#   --preload P  VPCs created before the timed rounds (default 100)
#   --keep DIR   keep the state file, the servers' logs and the table in DIR
#   VPCLAB_BIN   the vpclab binary to serve (default: built from this checkout)
# Needs go and moto_server (pip install 'moto[server]') on PATH.
set -euo pipefail

ops=200
clients=4
preload=100
keep=""
die() { echo "bench-api: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --ops) ops=$2; shift 2 ;;
    --clients) clients=$2; shift 2 ;;
    --preload) preload=$2; shift 2 ;;
    --keep) keep=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) break ;;
  esac
done
[ $# -le 1 ] || die "at most one vpclab binary (see --help)"
command -v go >/dev/null || die "needs go on PATH (to build the workload client)"
command -v moto_server >/dev/null || die "needs moto_server on PATH (pip install 'moto[server]')"
command -v python3 >/dev/null || die "needs python3 on PATH (to find free loopback ports)"
command -v curl >/dev/null || die "needs curl on PATH (to wait until the servers answer)"

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/vpclab-bench-api.XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do
    kill "$p" 2>/dev/null || true
  done
  for p in "${pids[@]}"; do
    wait "$p" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ $# -eq 1 ]; then
  [ -x "$1" ] || die "$1 is not an executable"
  bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
else
  echo "bench-api: building vpclab ..." >&2
  (cd "$root" && go build -o "$work/vpclab" ./cmd/vpclab) || die "cannot build vpclab"
  bin=$work/vpclab
fi
(cd "$root" && go build -o "$work/benchapi" ./scripts/benchapi) || die "cannot build scripts/benchapi"

# Two free loopback ports: bound by the kernel's choice, then released for the servers.
read -r vport mport < <(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')

out=${keep:-$work}
mkdir -p "$out"
rm -f "$out/vpclab.db"
"$bin" serve --listen "127.0.0.1:$vport" --state "$out/vpclab.db" 2>"$out/vpclab.log" &
pids+=($!)
moto_server -H 127.0.0.1 -p "$mport" >"$out/moto.log" 2>&1 &
pids+=($!)

# wait_up NAME PORT PID: until the server answers (any HTTP status), or its process ends.
wait_up() {
  local i
  for i in $(seq 1 300); do
    curl -s -o /dev/null "http://127.0.0.1:$2/" && return 0
    kill -0 "$3" 2>/dev/null || die "$1 stopped before it listened: see its log below
$(tail -n 20 "$out/$1.log")"
    sleep 0.1
  done
  die "$1 does not answer on 127.0.0.1:$2 after 30 s"
}
wait_up vpclab "$vport" "${pids[0]}"
wait_up moto "$mport" "${pids[1]}"

status=0
"$work/benchapi" -rounds "$ops" -clients "$clients" -preload "$preload" \
  vpclab="http://127.0.0.1:$vport/" moto="http://127.0.0.1:$mport/" >"$work/table.md" || status=$?
cat "$work/table.md"
cat <<EOF

vpclab serve keeps its state durable (bbolt, fsync before each write's reply; concurrent
writes share an fsync); moto_server keeps its state in memory only. $(nproc) CPUs,
$(go version | cut -d' ' -f3), moto $(python3 -c 'import moto; print(moto.__version__)' 2>/dev/null || echo '?').
EOF
[ -z "$keep" ] || cp "$work/table.md" "$out/table.md"
exit "$status"
