#!/usr/bin/env bash
# bench-cli.sh: what a user pays, measured as a user runs vpclab: every question in a fresh
# process, loading included, on generated estates of several sizes (VPCs x 10 subnets x 10
# instances), for one or more vpclab binaries side by side (an old build and a new one).
#
# For each estate size and each command the script runs every binary RUNS times, the
# binaries taking turns so that noise from other work hits them alike, and prints the median
# wall time, the median CPU time (user + system) and the largest peak resident set size
# (/usr/bin/time's "maximum resident set size") as a Markdown table:
#
#   validate   vpclab validate -t E
#   trace      vpclab trace -t E --from vpcM-app-01 --to vpcM-db-01 --port 5432 (M: the middle VPC)
#   reach      vpclab reach -t E --from vpcM-app-01 --to vpcM-db-01
#   check      vpclab check -t E INTENTS (100 intents over the whole estate)
#   diff       vpclab diff --before E --after E' (E' differs in one security group rule)
#   matrix     vpclab matrix -t E --scope subnets -o csv (estates of at most MATRIX_MAX subnets)
#   trace²     the trace again with a resident estate started for E beforehand (binaries
#              that have `vpclab resident`): what a second question costs
#
# A command that fails (a binary too old for it, or refusing the estate) shows its exit
# status instead of figures. The estates are written once by the first binary's `gen` into a
# temporary directory (or --keep DIR, reused when present) and removed at the end.
#
# Usage: scripts/bench-cli.sh [--sizes "100 1000 4000"] [--runs N] [--keep DIR]
#                             [--only "validate trace ..."] BINARY [BINARY...]
# e.g.   go build -o /tmp/new ./cmd/vpclab && git stash && go build -o /tmp/old ./cmd/vpclab && git stash pop
#        scripts/bench-cli.sh --sizes "100 1000" /tmp/old /tmp/new
# Needs GNU time (/usr/bin/time; apt-get install time) and jq. An estate of 4,000 VPCs takes
# 2.6 GB of disk.
set -euo pipefail

sizes="100 1000 4000"
runs=3
keep=""
only="validate trace reach check diff matrix trace²"
MATRIX_MAX=${MATRIX_MAX:-10000}
die() { echo "bench-cli: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) sizes=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --keep) keep=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) break ;;
  esac
done
[ $# -ge 1 ] || die "name at least one vpclab binary (see --help)"
[ -x /usr/bin/time ] || die "needs GNU time at /usr/bin/time (apt-get install time)"
command -v jq >/dev/null || die "needs jq (apt-get install jq)"
bins=()
for b in "$@"; do
  [ -x "$b" ] || die "$b is not an executable"
  bins+=("$(cd "$(dirname "$b")" && pwd)/$(basename "$b")")
done

work=$(mktemp -d "${TMPDIR:-/tmp}/vpclab-bench-cli.XXXXXX")
estates=${keep:-$work/estates}
cleanup() {
  for b in "${bins[@]}"; do "$b" resident stop --all >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$estates"

# estate N: writes (once) the estate of N VPCs and its twin with one rule changed.
estate() {
  local n=$1 dir=$estates/e$1
  if [ ! -f "$dir/Vpcs.json" ]; then
    echo "bench-cli: writing the estate of $n VPCs x 10 x 10 ..." >&2
    "${bins[0]}" gen --vpcs "$n" --subnets-per-vpc 10 --instances-per-subnet 10 --seed 1 "$dir" >/dev/null
  fi
  if [ ! -f "$dir-changed/Vpcs.json" ]; then
    # The twin shares every file but SecurityGroups.json (hard links), where the middle
    # VPC's database group admits 5433 instead of 5432.
    mkdir -p "$dir-changed"
    for f in "$dir"/*.json; do ln -f "$f" "$dir-changed/"; done
    rm "$dir-changed/SecurityGroups.json"
    jq --arg g "$(mid "$n")-db" '(.SecurityGroups[] | select(.GroupName == $g) | .IpPermissions[0])
        |= (.FromPort = 5433 | .ToPort = 5433)' "$dir/SecurityGroups.json" >"$dir-changed/SecurityGroups.json"
  fi
}

# mid N: the name of the middle VPC of an estate of N VPCs (gen pads numbers to 3 digits or more).
mid() {
  local w=${#1}
  [ "$w" -ge 3 ] || w=3
  printf 'vpc%0*d' "$w" $(($1 / 2))
}

# intents N: 100 intents over the estate, app to db of one VPC (reachable) and web to db
# (unreachable), in VPCs spread over the estate.
intents() {
  local n=$1 f=$estates/intents-$1.yaml i v w
  w=${#n}; [ "$w" -ge 3 ] || w=3
  : >"$f"
  for i in $(seq 0 49); do
    v=$(printf 'vpc%0*d' "$w" $((1 + i * n / 50)))
    printf -- '- {from: %s-app-01, to: %s-db-01, protocol: tcp, port: 5432, expect: reachable}\n' "$v" "$v" >>"$f"
    printf -- '- {from: %s-web-01, to: %s-db-01, protocol: tcp, port: 5432, expect: unreachable}\n' "$v" "$v" >>"$f"
  done
  echo "$f"
}

# measure OUT BIN ARGS...: one fresh-process run; appends "wall cpu rss_kb status" to OUT.
measure() {
  local out=$1; shift
  local st=0 t0 t1
  # Wall time from bash's clock (microseconds): GNU time's %e has 10 ms steps, too coarse
  # for a question a resident answers.
  t0=$EPOCHREALTIME
  /usr/bin/time -o "$work/time" -f '%e %U %S %M' "$@" >/dev/null 2>"$work/stderr" || st=$?
  t1=$EPOCHREALTIME
  read -r _ user sys rss < <(tail -1 "$work/time") || true
  wall=$(echo "${t1/./} - ${t0/./}" | bc)
  wall=$(echo "scale=4; $wall / 1000000" | bc)
  # GNU time prints "Command exited with non-zero status N" first when the command fails.
  if [ "$st" -gt 1 ]; then
    echo "- - - exit$st" >>"$out"
  else
    echo "$wall $(echo "$user + $sys" | bc) $rss ok" >>"$out"
  fi
}

# summary FILE: median wall, median cpu, max rss (MB), or the failing status.
summary() {
  if grep -q exit "$1"; then grep -o 'exit[0-9A-Z]*' "$1" | head -1 | sed 's/exit/exit status /'; return; fi
  local w c r
  w=$(cut -d' ' -f1 "$1" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  c=$(cut -d' ' -f2 "$1" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  r=$(cut -d' ' -f3 "$1" | sort -n | tail -1)
  if [ "$(echo "$w < 1" | bc)" = 1 ]; then
    printf '%.0f ms | %.2f s | %d MB' "$(echo "$w * 1000" | bc)" "$c" $((r / 1024))
  else
    printf '%.2f s | %.2f s | %d MB' "$w" "$c" $((r / 1024))
  fi
}

has() { case " $only " in *" $1 "*) return 0 ;; esac; return 1; }

echo "| VPCs | command | binary | wall (median) | CPU (median) | peak RSS |"
echo "|---:|---|---|---:|---:|---:|"
for n in $sizes; do
  estate "$n"
  e=$estates/e$n
  m=$(mid "$n")
  in=$(intents "$n")
  declare -A cmds=(
    [validate]="validate -t $e"
    [trace]="trace -t $e --from $m-app-01 --to $m-db-01 --port 5432"
    [reach]="reach -t $e --from $m-app-01 --to $m-db-01"
    [check]="check -t $e $in"
    [diff]="diff --before $e --after $e-changed"
    [matrix]="matrix -t $e --scope subnets -o csv"
    [trace²]="trace -t $e --from $m-app-01 --to $m-db-01 --port 5432"
  )
  for c in validate trace reach check diff matrix trace²; do
    has "$c" || continue
    if [ "$c" = matrix ] && [ $((n * 10)) -gt "$MATRIX_MAX" ]; then continue; fi
    for i in "${!bins[@]}"; do : >"$work/r$i"; done
    for i in "${!bins[@]}"; do
      if [ "$c" = trace² ]; then
        if ! "${bins[$i]}" resident --help >/dev/null 2>&1; then echo "- - - exitNA" >"$work/r$i"; continue; fi
        "${bins[$i]}" resident start -t "$e" >/dev/null 2>&1 || echo "- - - exit9" >"$work/r$i"
      fi
    done
    for _ in $(seq "$runs"); do
      for i in "${!bins[@]}"; do
        grep -q exit "$work/r$i" && continue
        # shellcheck disable=SC2086 # the command lines are word lists by design
        measure "$work/r$i" "${bins[$i]}" ${cmds[$c]}
      done
    done
    for i in "${!bins[@]}"; do
      [ "$c" = trace² ] && { "${bins[$i]}" resident stop -t "$e" >/dev/null 2>&1 || true; }
      s=$(summary "$work/r$i")
      [ "$s" = "exit status NA" ] && s="(no resident mode) | | "
      echo "| $n | $c | $(basename "${bins[$i]}") | $s |"
    done
  done
  [ -n "$keep" ] || rm -rf "$e" "$e-changed"
done
