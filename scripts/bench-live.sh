#!/usr/bin/env bash
# bench-live.sh: live mode against the Linux kernel, side by side, in the same namespaces.
#
# Seed 000 (examples/east-west-nat/lab.yaml): a private instance ("source", 10.0.0.11) sends
# through a NAT gateway to another subnet ("destination", 10.0.1.55). The script measures
#
#   - TCP throughput, iperf3 from source to destination, and
#   - the median round-trip time of ping,
#
# twice: through vpclab's dataplane (eth0 of each namespace), and through the kernel's own
# forwarding and SNAT (a router namespace joined to the same two namespaces by veth pairs,
# k0, with an iptables SNAT rule standing in for the NAT gateway, which also takes one off
# the TTL). Rounds alternate between the two so that noise from other work hits both.
#
# Targets: vpclab reaches at least 30% of the kernel's throughput and adds at most 100
# microseconds to the median round trip per NAT hop (the path crosses one), pinging every
# 10 ms. Round trips are also shown every 2 ms (the dataplane stays busy: what it adds is
# its processing) and every 200 ms (it sleeps between packets and must wake first; on a
# virtual machine that, and caches gone cold, cost tens of microseconds).
#
# With "appliance" first, it measures an appliance hop instead (examples/appliance-firewall:
# client 10.0.0.10, the firewall instance fw 10.0.2.10, server 10.0.1.10, each subnet routing
# the other's through fw, whose own kernel forwards in live mode): the median round trip from
# client to fw itself (direct) and to server (through fw), and iperf3 through fw. The kernel's
# side uses fw's namespace as the router too, joined to client and server by veth pairs (k0,
# 172.31.1.0/24 and 172.31.2.0/24): the same appliance kernel, without the dataplane.
#
# With "gwlb" first, it measures a Gateway Load Balancer's inspected hop
# (examples/more-specific-routes/lab-gwlb-endpoint.yaml: source 10.0.0.11 -> GWLB endpoint ->
# GENEVE to the target "appliance" 10.0.3.10, whose own kernel forwards between vpclab's tunnel
# handler's device and itself -> destination 10.0.1.55, the answers back the same way): the
# median round trip from source to the appliance itself (not inspected) and to destination
# (inspected both ways), in the same rows as "appliance". The kernel's side is the appliance
# namespace routing between veth pairs, as in "appliance": what a plain routing hop costs the
# kernel, against which the GWLB's wrapping, the handler and the second pass through the
# dataplane are measured. Target: the GWLB adds at most 150 us per inspected hop.
#
# Usage: sudo scripts/bench-live.sh [appliance|gwlb] [SECONDS_PER_IPERF_RUN [ROUNDS]]
# Needs root, go, iperf3, iputils ping, and iptables or nft (seed 000 only).
set -euo pipefail
cd "$(dirname "$0")/.."

mode=nat
case "${1:-}" in appliance | gwlb) mode=$1; shift ;; esac
secs=${1:-5}
rounds=${2:-3}
lab=bench$$
src=vpclab-$lab-source
dst=vpclab-$lab-destination
router=vpclabbench-$lab-router # not the lab's: this script makes and removes it

die() { echo "bench-live: $*" >&2; exit 2; }
[ "$(id -u)" = 0 ] || die "needs root (network namespaces)"
for tool in go iperf3 ping ip; do
  command -v "$tool" >/dev/null || die "$tool is not installed (apt-get install iperf3 iputils-ping iproute2)"
done
if [ $mode != nat ]; then :
elif command -v iptables >/dev/null; then snat=iptables
elif command -v nft >/dev/null; then snat=nft
else die "the kernel side needs iptables or nft for SNAT (apt-get install iptables)"; fi

tmp=$(mktemp -d)
cleanup() {
  ip netns del "$router" 2>/dev/null || true # takes both veth pairs with it
  [ -x "$tmp/vpclab" ] && "$tmp/vpclab" down --name "$lab" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

go build -o "$tmp/vpclab" ./cmd/vpclab

in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
# mbits ADDR: iperf3's receiver throughput in Mbit/s, from $src.
mss=() # iperf3 -M: through a GWLB, segments must fit its 8500-byte MTU (§13.11), else dropped
mbits() { in_ns "$src" iperf3 -c "$1" -t "$secs" -f m "${mss[@]}" | awk '/receiver/ {for (i = 1; i <= NF; i++) if ($i == "Mbits/sec") print $(i-1)}'; }
# rtt ADDR COUNT INTERVAL: median ping round trip in microseconds, from $src.
rtt() {
  in_ns "$src" ping -n -c "$2" -i "$3" "$1" |
    awk -F'time=' '/time=/ {split($2, a, " "); print a[1] * 1000}' | sort -n |
    awk '{v[NR] = $1} END {if (NR) printf "%d", v[int((NR + 1) / 2)]}'
}
# answers ADDR TTL: ping from $src gets an answer carrying TTL (ttl=N), else the script stops.
# The output is read whole: with pipefail, grep -q closing the pipe early would fail ping.
answers() {
  local out
  out=$(in_ns "$src" ping -c 1 -w 3 "$1" 2>&1 || true)
  grep -q "$2" <<<"$out" || die "ping $1: no reply with $2: $out"
}
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

if [ $mode != nat ]; then
  # The lab, its three nodes, the appliance's and the far end's addresses, and the TTL of
  # an answer through vpclab's path (the GWLB path is transparent; an appliance is a hop).
  if [ $mode = appliance ]; then
    labfile=examples/appliance-firewall/lab.yaml c=client s=server f=fw fwip=10.0.2.10 far=10.0.1.10 ttl=254 what=fw
  else
    labfile=examples/more-specific-routes/lab-gwlb-endpoint.yaml c=source s=destination f=appliance fwip=10.0.3.10 far=10.0.1.55 ttl=255 what="the GWLB target"
    mss=(-M 8400)
  fi
  src=vpclab-$lab-$c
  dst=vpclab-$lab-$s
  fw=vpclab-$lab-$f
  "$tmp/vpclab" up -t "$labfile" --name "$lab" >/dev/null
  # The kernel's path: client k0 172.31.1.2 -> fw (its own forwarding, ip_forward on as the lab
  # set it) -> server k0 172.31.2.2. The veth pairs go with the lab's namespaces at down.
  ip link add k0 netns "$src" mtu 9001 type veth peer name r0 netns "$fw" mtu 9001
  ip link add k0 netns "$dst" mtu 9001 type veth peer name r1 netns "$fw" mtu 9001
  ip -n "$src" addr add 172.31.1.2/24 dev k0
  ip -n "$dst" addr add 172.31.2.2/24 dev k0
  ip -n "$fw" addr add 172.31.1.1/24 dev r0
  ip -n "$fw" addr add 172.31.2.1/24 dev r1
  for d in "$src k0" "$dst k0" "$fw r0" "$fw r1"; do set -- $d; ip -n "$1" link set "$2" up; done
  ip -n "$src" route add 172.31.2.0/24 via 172.31.1.1
  ip -n "$dst" route add 172.31.1.0/24 via 172.31.2.1
  in_ns "$dst" iperf3 -s -D --pidfile "$tmp/iperf3.pid"
  sleep 0.5
  # Both paths must cross fw's kernel: through the kernel's path ttl=254 (one hop each way),
  # through vpclab's $ttl; to fw itself 255.
  answers "$far" "ttl=$ttl"
  answers 172.31.2.2 ttl=254
  for a in "$fwip" 172.31.1.1; do
    answers "$a" ttl=255
  done
  # Every 2 ms the dataplane stays busy (what it adds is its processing); every 10 ms, as
  # in seed 000's target, it may sleep between packets.
  declare -a bdv bdk bav bak dv dk av ak tv tk
  for r in $(seq "$rounds"); do
    bdv+=("$(rtt "$fwip" 300 0.002)"); bdk+=("$(rtt 172.31.1.1 300 0.002)")
    bav+=("$(rtt "$far" 300 0.002)"); bak+=("$(rtt 172.31.2.2 300 0.002)")
    dv+=("$(rtt "$fwip" 300 0.01)"); dk+=("$(rtt 172.31.1.1 300 0.01)")
    av+=("$(rtt "$far" 300 0.01)"); ak+=("$(rtt 172.31.2.2 300 0.01)")
    tv+=("$(mbits "$far")"); tk+=("$(mbits 172.31.2.2)")
    echo "round $r: vpclab ${dv[-1]} us to fw, ${av[-1]} us through it, ${tv[-1]} Mbit/s; kernel ${dk[-1]} us, ${ak[-1]} us, ${tk[-1]} Mbit/s" >&2
  done
  row() { printf '%-52s %12s %12s\n' "$@"; }
  hop() { printf '%+d' $(($2 - $1)); }
  BDV=$(median "${bdv[@]}"); BDK=$(median "${bdk[@]}"); BAV=$(median "${bav[@]}"); BAK=$(median "${bak[@]}")
  DV=$(median "${dv[@]}"); DK=$(median "${dk[@]}"); AV=$(median "${av[@]}"); AK=$(median "${ak[@]}")
  TV=$(median "${tv[@]}"); TK=$(median "${tk[@]}")
  echo
  echo "$labfile: $c -> $what (its own kernel forwards) -> $s ($(nproc) CPUs, $rounds rounds of ${secs}s, medians)"
  row "" "vpclab" "kernel"
  row "median RTT to fw itself, ping every 2 ms (us)" "$BDV" "$BDK"
  row "median RTT through fw, ping every 2 ms (us)" "$BAV" "$BAK"
  row "  the appliance hop adds (us)" "$(hop "$BDV" "$BAV")" "$(hop "$BDK" "$BAK")"
  row "median RTT to fw itself, ping every 10 ms (us)" "$DV" "$DK"
  row "median RTT through fw, ping every 10 ms (us)" "$AV" "$AK"
  row "  the appliance hop adds (us)" "$(hop "$DV" "$AV")" "$(hop "$DK" "$AK")"
  printf '%-52s %12s %12s   %s%%\n' "TCP throughput through fw, iperf3 (Mbit/s)" "$TV" "$TK" \
    "$(awk -v a="$TV" -v b="$TK" 'BEGIN {printf "%.0f", 100 * a / b}')"
  exit 0
fi

"$tmp/vpclab" up -t examples/east-west-nat/lab.yaml --name "$lab" >/dev/null

# The kernel's path: source k0 172.31.1.2 -> router (forwarding, SNAT to 172.31.2.1) ->
# destination k0 172.31.2.2. MTU 9001 as in the VPC; veth offloads as the kernel sets them.
ip netns add "$router"
ip netns exec "$router" sysctl -qw net.ipv4.ip_forward=1
ip link add k0 netns "$src" mtu 9001 type veth peer name r0 netns "$router" mtu 9001
ip link add k0 netns "$dst" mtu 9001 type veth peer name r1 netns "$router" mtu 9001
ip -n "$src" addr add 172.31.1.2/24 dev k0
ip -n "$dst" addr add 172.31.2.2/24 dev k0
ip -n "$router" addr add 172.31.1.1/24 dev r0
ip -n "$router" addr add 172.31.2.1/24 dev r1
for d in "$src k0" "$dst k0" "$router r0" "$router r1"; do set -- $d; ip -n "$1" link set "$2" up; done
ip -n "$src" route add 172.31.2.0/24 via 172.31.1.1
if [ $snat = iptables ]; then
  ip netns exec "$router" iptables -t nat -A POSTROUTING -o r1 -j SNAT --to-source 172.31.2.1
else
  ip netns exec "$router" nft add table ip nat
  ip netns exec "$router" nft 'add chain ip nat post { type nat hook postrouting priority 100; }'
  ip netns exec "$router" nft add rule ip nat post oifname r1 snat to 172.31.2.1
fi

in_ns "$dst" iperf3 -s -D --pidfile "$tmp/iperf3.pid"
sleep 0.5

# Both paths must really be what they claim: ttl=254 (one NAT hop), source seen translated.
# (ping -w: a fresh veth path may lose the first probe while its carrier comes up.)
for a in 10.0.1.55 172.31.2.2; do
  answers "$a" ttl=254
done

declare -a tv tk bv bk lv lk iv ik
for r in $(seq "$rounds"); do
  tv+=("$(mbits 10.0.1.55)"); tk+=("$(mbits 172.31.2.2)")
  bv+=("$(rtt 10.0.1.55 300 0.002)"); bk+=("$(rtt 172.31.2.2 300 0.002)")
  lv+=("$(rtt 10.0.1.55 300 0.01)"); lk+=("$(rtt 172.31.2.2 300 0.01)")
  iv+=("$(rtt 10.0.1.55 10 0.2)"); ik+=("$(rtt 172.31.2.2 10 0.2)")
  echo "round $r: vpclab ${tv[-1]} Mbit/s ${lv[-1]} us, kernel ${tk[-1]} Mbit/s ${lk[-1]} us" >&2
done

TV=$(median "${tv[@]}"); TK=$(median "${tk[@]}")
BV=$(median "${bv[@]}"); BK=$(median "${bk[@]}")
LV=$(median "${lv[@]}"); LK=$(median "${lk[@]}")
IV=$(median "${iv[@]}"); IK=$(median "${ik[@]}")
pct=$(awk -v a="$TV" -v b="$TK" 'BEGIN {printf "%.0f", 100 * a / b}')
addBusy=$((BV - BK))
add=$((LV - LK))
addIdle=$((IV - IK))

echo
echo "seed 000: source -> NAT gateway -> destination ($(nproc) CPUs, $rounds rounds of ${secs}s, medians)"
printf '%-44s %12s %12s   %s\n' "" "vpclab" "kernel" "vpclab vs kernel"
printf '%-44s %12s %12s   %s%% (target >= 30%%)\n' "TCP throughput, iperf3 (Mbit/s)" "$TV" "$TK" "$pct"
printf '%-44s %12s %12s   +%s us (a busy dataplane: processing only)\n' "median RTT, ping every 2 ms (us)" "$BV" "$BK" "$addBusy"
printf '%-44s %12s %12s   +%s us per NAT hop (target <= 100)\n' "median RTT, ping every 10 ms (us)" "$LV" "$LK" "$add"
printf '%-44s %12s %12s   +%s us (an idle dataplane wakes up first)\n' "median RTT, ping every 200 ms (us)" "$IV" "$IK" "$addIdle"
ok=0
[ "$pct" -ge 30 ] || { echo "bench-live: throughput below target"; ok=1; }
[ "$add" -le 100 ] || { echo "bench-live: added latency above target"; ok=1; }
exit $ok
