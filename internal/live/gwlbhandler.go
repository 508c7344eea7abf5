package live

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/vpclab/vpclab/internal/packet"
)

// The appliance side of a Gateway Load Balancer (§13.9), as AWS's own tunnel handler
// (aws-gateway-load-balancer-tunnel-handler) does it: the GWLB sends each packet to a target
// inside GENEVE on UDP 6081, with AWS's options (class 0x0108: the endpoint ID, the
// attachment ID, a flow cookie); the handler decapsulates it into a TUN device, where the
// namespace's own kernel forwards it, so its iptables or nftables rules and tcpdump see the
// original packet; what the kernel forwards back out of the device is encapsulated again
// with the options of its flow and sent back to the GWLB, outer addresses swapped. A packet
// the kernel drops never comes back, and the GWLB never forwards it.
//
//	 GWLB node ──GENEVE udp/6081──► eth0 ─► handler ─► gwlb0 (TUN) ─► kernel: FORWARD chain
//	          ◄─GENEVE udp/6081──── eth0 ◄─ handler ◄─ gwlb0 ◄──────── (policy route: back out gwlb0)
//
// The GWLB itself is transparent (§13.10); a Linux router is not: it decrements the TTL. By
// default the handler raises the TTL by one on the way in, so the appliance as a whole
// changes nothing, as vpclab's simulated appliance does (DEFAULTS.md); DecrementTTL keeps the
// kernel's routing behaviour.

// handlerTable is the routing table that sends what the kernel forwards from the TUN device
// back into it.
const handlerTable = 6081

// HandlerOptions configure the GWLB tunnel handler.
type HandlerOptions struct {
	Device       string // the TUN device's name (default gwlb0)
	Listen       string // the UDP address GENEVE arrives on (default 0.0.0.0:6081)
	DecrementTTL bool   // let the kernel's forwarding lower the TTL, as a router does
	// Log, when set, receives one line per event worth knowing (a flow seen first, a packet
	// dropped for want of a flow).
	Log io.Writer
	// inline leaves the handler without a thread of its own: the dataplane's loop calls
	// OnSocket and OnDevice (startHandlers).
	inline bool
}

// HandlerStats count what the handler did.
type HandlerStats struct {
	In, Out       atomic.Uint64 // packets decapsulated into the device, encapsulated back
	Malformed     atomic.Uint64 // GENEVE the handler could not read, or without AWS's options
	Unknown       atomic.Uint64 // packets from the device of no flow the GWLB sent
	Flows         atomic.Uint64 // flows seen
	ErrorsWriting atomic.Uint64
}

// flowKey names a flow the same in both directions: protocol and the two (address, port)
// ends, the lesser first.
type flowKey struct {
	proto  uint8
	lo, hi netip.AddrPort
}

// tunnel is how a flow came in: the GENEVE header with its options, sent back unchanged, and
// the GWLB node that sent it.
type tunnel struct {
	header []byte
	gwlb   unix.SockaddrInet4
	// ttl255 says, for each direction of the flow (0: from the lesser end), whether its
	// last packet came with TTL 255, which raiseTTL cannot raise: the kernel's forwarding
	// leaves it 254, and the way back restores it.
	ttl255 [2]bool
	seen   time.Time // the flow's latest packet from the GWLB
}

// Flows are forgotten once idle as long as the GWLB's own flow table keeps them (§13.7):
// 350 s for TCP, 120 s for the rest; the table is swept at most every sweepEvery.
const (
	idleTCP    = 350 * time.Second
	idleOther  = 120 * time.Second
	sweepEvery = 30 * time.Second
)

// Handler is a running GWLB tunnel handler. One locked OS thread does its work, as the
// dataplane's does (run.go): it waits on the socket and the device with epoll, both
// non-blocking. After writing a packet into the device it looks at the device at once, since
// the kernel forwards in the write's own softirq and the packet is usually back by then:
// one thread wake-up less per packet, which on an idle path is most of what it costs.
type Handler struct {
	opt   HandlerOptions
	sock  int // the UDP socket GENEVE comes and goes on
	tun   int // the TUN device
	stop  int // an eventfd Close writes to
	done  chan struct{}
	Stats HandlerStats

	mu        sync.Mutex
	flows     map[flowKey]tunnel
	closeOnce sync.Once
	swept     time.Time
	// Buffers: what the GWLB sent, what the kernel forwarded, and the datagram sent back.
	in, back, out []byte
}

// StartHandler sets up the calling thread's network namespace as a GWLB target's (a TUN
// device, forwarding on, redirects off, a policy route that sends what arrives on the device
// back into it) and starts handling GENEVE. It runs until ctx ends or Close.
func StartHandler(ctx context.Context, opt HandlerOptions) (*Handler, error) {
	if opt.Device == "" {
		opt.Device = "gwlb0"
	}
	if opt.Listen == "" {
		opt.Listen = fmt.Sprintf("0.0.0.0:%d", packet.GENEVEPort)
	}
	laddr, err := net.ResolveUDPAddr("udp4", opt.Listen)
	if err != nil {
		return nil, fmt.Errorf("--listen %q: %w", opt.Listen, err)
	}
	h := &Handler{opt: opt, sock: -1, tun: -1, stop: -1, done: make(chan struct{}), flows: map[flowKey]tunnel{},
		in: make([]byte, 65536), back: make([]byte, 65536), out: make([]byte, 0, 65536+64)}
	fail := func(err error) (*Handler, error) {
		h.closeFDs()
		return nil, err
	}
	if h.tun, err = openTUN(opt.Device); err != nil {
		return fail(err)
	}
	if err := routeBack(opt.Device); err != nil {
		return fail(err)
	}
	if h.sock, err = listenUDP(laddr); err != nil {
		return fail(fmt.Errorf("listening for GENEVE on %s: %w", opt.Listen, err))
	}
	if h.stop, err = unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK); err != nil {
		return fail(err)
	}
	if opt.inline {
		// The dataplane's loop serves it: no thread of its own. Its descriptors close when
		// ctx ends, so its device goes with them, not to the host when the namespace goes.
		close(h.done)
		go func() {
			<-ctx.Done()
			h.closeOnce.Do(h.closeFDs)
		}()
		return h, nil
	}
	ep, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return fail(err)
	}
	for _, fd := range []int{h.sock, h.tun, h.stop} {
		if err := unix.EpollCtl(ep, unix.EPOLL_CTL_ADD, fd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(fd)}); err != nil {
			unix.Close(ep)
			return fail(err)
		}
	}
	go h.loop(ep)
	go func() {
		select {
		case <-ctx.Done():
			h.Close()
		case <-h.done:
		}
	}()
	return h, nil
}

// Close stops the handler (its device goes with the descriptor) and waits for its thread.
func (h *Handler) Close() {
	h.closeOnce.Do(func() {
		unix.Write(h.stop, []byte{1, 0, 0, 0, 0, 0, 0, 0})
		<-h.done
		h.closeFDs()
	})
}

func (h *Handler) closeFDs() {
	for _, fd := range []int{h.sock, h.tun, h.stop} {
		if fd >= 0 {
			unix.Close(fd)
		}
	}
}

// OnSocket handles what the GWLB sent, and sends back what the kernel forwarded at once.
func (h *Handler) OnSocket() {
	for h.fromGWLB(h.in) {
		for h.fromKernel(h.back, h.out) {
		}
	}
}

// OnDevice handles what the kernel forwarded out of the device.
func (h *Handler) OnDevice() {
	for h.fromKernel(h.back, h.out) {
	}
}

// loop is the handler's thread.
func (h *Handler) loop(ep int) {
	runtime.LockOSThread()
	defer close(h.done)
	defer unix.Close(ep)
	events := make([]unix.EpollEvent, 3)
	swept := time.Now()
	for {
		if time.Since(swept) > sweepEvery {
			h.sweep(time.Now())
			swept = time.Now()
		}
		n, err := unix.EpollWait(ep, events, int(sweepEvery/time.Millisecond))
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return
		}
		for _, ev := range events[:n] {
			switch int(ev.Fd) {
			case h.stop:
				return
			case h.sock:
				h.OnSocket() // the kernel forwards as the packet is written: send it on now
			case h.tun:
				h.OnDevice()
			}
		}
	}
}

// openTUN creates a TUN device without packet information, non-blocking, brings it up with
// the GWLB's inner MTU (8500, §13.11), and returns its descriptor.
func openTUN(name string) (int, error) {
	fd, err := unix.Open("/dev/net/tun", unix.O_RDWR|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		return -1, fmt.Errorf("opening /dev/net/tun: %w", err)
	}
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("TUN device %q: %w", name, err)
	}
	ifr.SetUint16(unix.IFF_TUN | unix.IFF_NO_PI)
	if err := unix.IoctlIfreq(fd, unix.TUNSETIFF, ifr); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("creating TUN device %s: %w", name, err)
	}
	link, err := netlink.LinkByName(name)
	if err == nil {
		err = netlink.LinkSetMTU(link, 8500)
	}
	if err == nil {
		err = netlink.LinkSetUp(link)
	}
	if err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("bringing up %s: %w", name, err)
	}
	return fd, nil
}

// routeBack makes the namespace forward what arrives on dev back out of dev: forwarding on,
// no reverse-path filter and no redirects on it, and a rule that looks packets from dev up in
// a table whose default route is dev.
func routeBack(dev string) error {
	for _, kv := range [][2]string{
		{"net.ipv4.ip_forward", "1"},
		{"net.ipv4.conf.all.rp_filter", "0"},
		{"net.ipv4.conf." + dev + ".rp_filter", "0"},
		{"net.ipv4.conf.all.send_redirects", "0"},
		{"net.ipv4.conf." + dev + ".send_redirects", "0"},
		{"net.ipv6.conf.all.forwarding", "1"},
	} {
		if err := sysctl(kv[0], kv[1]); err != nil {
			return err
		}
	}
	link, err := netlink.LinkByName(dev)
	if err != nil {
		return err
	}
	for _, family := range []int{netlink.FAMILY_V4, netlink.FAMILY_V6} {
		rule := netlink.NewRule()
		rule.IifName, rule.Table, rule.Priority, rule.Family = dev, handlerTable, 100, family
		if err := netlink.RuleAdd(rule); err != nil && !errors.Is(err, unix.EEXIST) {
			if family == netlink.FAMILY_V6 && errors.Is(err, unix.EAFNOSUPPORT) {
				continue
			}
			return fmt.Errorf("rule iif %s lookup %d: %w", dev, handlerTable, err)
		}
		dst := &net.IPNet{IP: net.IPv4zero, Mask: net.CIDRMask(0, 32)}
		if family == netlink.FAMILY_V6 {
			dst = &net.IPNet{IP: net.IPv6zero, Mask: net.CIDRMask(0, 128)}
		}
		r := &netlink.Route{LinkIndex: link.Attrs().Index, Dst: dst, Table: handlerTable, Scope: netlink.SCOPE_LINK}
		if err := netlink.RouteReplace(r); err != nil {
			if family == netlink.FAMILY_V6 {
				continue // IPv6 off in the namespace: IPv4 is what matters
			}
			return fmt.Errorf("default route via %s in table %d: %w", dev, handlerTable, err)
		}
	}
	return nil
}

// maybeSweep sweeps the flow table when it was last swept more than sweepEvery ago.
func (h *Handler) maybeSweep() {
	if now := time.Now(); now.Sub(h.swept) > sweepEvery {
		h.sweep(now)
		h.swept = now
	}
}

// sweep forgets the flows idle longer than the GWLB keeps them.
func (h *Handler) sweep(now time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for k, t := range h.flows {
		idle := idleOther
		if k.proto == unix.IPPROTO_TCP {
			idle = idleTCP
		}
		if now.Sub(t.seen) > idle {
			delete(h.flows, k)
		}
	}
}

// Flows is how many flows the handler remembers.
func (h *Handler) Flows() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.flows)
}

// fromGWLB takes one datagram the GWLB sent, if there is one, and decapsulates it into the
// device. It reports whether it read one.
func (h *Handler) fromGWLB(buf []byte) bool {
	n, sa, err := unix.Recvfrom(h.sock, buf, unix.MSG_DONTWAIT)
	if err != nil || n == 0 {
		return err == unix.EINTR
	}
	from, ok := sa.(*unix.SockaddrInet4)
	if !ok {
		return true
	}
	hdr, inner, ok := splitGeneve(buf[:n])
	if !ok {
		h.Stats.Malformed.Add(1)
		return true
	}
	k, dir, ok := innerFlow(inner)
	if !ok {
		h.Stats.Malformed.Add(1)
		return true
	}
	h.mu.Lock()
	t, seen := h.flows[k]
	if !seen {
		h.Stats.Flows.Add(1)
		h.logf("flow %v %v <-> %v from GWLB %v:%d", k.proto, k.lo, k.hi, netip.AddrFrom4(from.Addr), from.Port)
	}
	t.header, t.gwlb = append(t.header[:0], hdr...), *from
	t.ttl255[dir] = ttlOf(inner) == 255
	t.seen = time.Now()
	h.flows[k] = t
	h.mu.Unlock()
	if !h.opt.DecrementTTL {
		raiseTTL(inner)
	}
	if _, err := unix.Write(h.tun, inner); err != nil {
		h.Stats.ErrorsWriting.Add(1)
		return true
	}
	h.Stats.In.Add(1)
	return true
}

// fromKernel takes one packet the kernel forwarded out of the device, if there is one, and
// sends it back to the GWLB node that sent its flow, in the GENEVE header the flow came in
// with. It reports whether it read one.
func (h *Handler) fromKernel(buf, out []byte) bool {
	n, err := unix.Read(h.tun, buf)
	if err != nil || n <= 0 {
		return err == unix.EINTR
	}
	k, dir, ok := innerFlow(buf[:n])
	if !ok {
		h.Stats.Unknown.Add(1)
		return true
	}
	h.mu.Lock()
	t, ok := h.flows[k]
	h.mu.Unlock()
	if !ok {
		h.Stats.Unknown.Add(1)
		h.logf("dropped a packet of no flow the GWLB sent: %v %v <-> %v", k.proto, k.lo, k.hi)
		return true
	}
	if !h.opt.DecrementTTL && t.ttl255[dir] && ttlOf(buf[:n]) == 254 {
		raiseTTL(buf[:n]) // it came with 255: the appliance leaves it so
	}
	out = append(append(out[:0], t.header...), buf[:n]...)
	if err := unix.Sendto(h.sock, out, 0, &t.gwlb); err != nil {
		h.Stats.ErrorsWriting.Add(1)
		return true
	}
	h.Stats.Out.Add(1)
	return true
}

func (h *Handler) logf(format string, args ...any) {
	if h.opt.Log != nil {
		fmt.Fprintf(h.opt.Log, "gwlb-handler: "+format+"\n", args...)
	}
}

// splitGeneve splits a GENEVE datagram (RFC 8926) into its header with options and the inner
// IP packet. It refuses what packet.DecodeGENEVE refuses (a version other than 0, truncated
// options), an inner protocol other than IPv4 or IPv6, and a header without AWS's three
// options (§13.9: the GWLB drops returns without them).
func splitGeneve(b []byte) (hdr, inner []byte, ok bool) {
	g, rest, err := packet.DecodeGENEVE(b)
	if err != nil || !g.HasAWSOptions() || g.Protocol != packet.GENEVEProtoIPv4 && g.Protocol != packet.GENEVEProtoIPv6 {
		return nil, nil, false
	}
	return b[:len(b)-len(rest)], rest, true
}

// innerFlow is the flow of an IP packet: its protocol and the (address, port) pairs of its
// two ends (ports 0 for protocols without them; ICMP echo's identifier as both ports, so a
// ping's request and reply are one flow), and the packet's direction in it (0: from the
// lesser end).
func innerFlow(p []byte) (k flowKey, dir int, ok bool) {
	if len(p) < 1 {
		return flowKey{}, 0, false
	}
	var proto uint8
	var src, dst netip.Addr
	var l4 []byte
	switch p[0] >> 4 {
	case 4:
		if len(p) < 20 {
			return flowKey{}, 0, false
		}
		ihl := int(p[0]&0x0f) * 4
		if ihl < 20 || len(p) < ihl {
			return flowKey{}, 0, false
		}
		proto = p[9]
		src, dst = netip.AddrFrom4([4]byte(p[12:16])), netip.AddrFrom4([4]byte(p[16:20]))
		if binary.BigEndian.Uint16(p[6:8])&0x1fff == 0 { // ports are in the first fragment only
			l4 = p[ihl:]
		}
	case 6:
		if len(p) < 40 {
			return flowKey{}, 0, false
		}
		proto = p[6]
		src, dst = netip.AddrFrom16([16]byte(p[8:24])), netip.AddrFrom16([16]byte(p[24:40]))
		l4 = p[40:]
	default:
		return flowKey{}, 0, false
	}
	var sp, dp uint16
	switch {
	case (proto == unix.IPPROTO_TCP || proto == unix.IPPROTO_UDP) && len(l4) >= 4:
		sp, dp = binary.BigEndian.Uint16(l4[0:2]), binary.BigEndian.Uint16(l4[2:4])
	case (proto == unix.IPPROTO_ICMP || proto == unix.IPPROTO_ICMPV6) && len(l4) >= 6:
		sp = binary.BigEndian.Uint16(l4[4:6])
		dp = sp
	}
	a, b := netip.AddrPortFrom(src, sp), netip.AddrPortFrom(dst, dp)
	if b.Compare(a) < 0 {
		a, b, dir = b, a, 1
	}
	return flowKey{proto: proto, lo: a, hi: b}, dir, true
}

// ttlOf is an IP packet's TTL (hop limit).
func ttlOf(p []byte) byte {
	if p[0]>>4 == 6 {
		return p[7]
	}
	return p[8]
}

// raiseTTL adds one to an IP packet's TTL (hop limit), below 255, so that the kernel's
// forwarding leaves it as it came: the appliance is a bump in the wire (§13.10). The IPv4
// header checksum is updated incrementally (RFC 1624).
func raiseTTL(p []byte) {
	switch p[0] >> 4 {
	case 4:
		if p[8] == 255 {
			return
		}
		p[8]++
		// The TTL is the high byte of the 16-bit word at offset 8, which grows by 0x0100:
		// HC' = ~(~HC + ~m + m') = ~(~HC + 0x0100) in one's complement.
		sum := uint32(^binary.BigEndian.Uint16(p[10:12])) + 0x0100
		sum = (sum & 0xffff) + sum>>16
		binary.BigEndian.PutUint16(p[10:12], ^uint16(sum))
	case 6:
		if p[7] < 255 {
			p[7]++
		}
	}
}

// startHandlers sets up the tunnel handler in the namespace of every GWLB target of the plan,
// served by the dataplane's own loop (Dataplane.AddSource): the lab's appliances behind a
// GWLB answer GENEVE as soon as the lab is up (a lab's appliance image is a configured one,
// §13.9). Its descriptors close with the process.
func startHandlers(ctx context.Context, p *Plan, d *Dataplane, logf func(string, ...any)) error {
	for _, n := range p.Nodes {
		if !n.GWLBTarget {
			continue
		}
		err := inNamespace(n.Namespace, func() error {
			h, err := StartHandler(ctx, HandlerOptions{inline: true, Log: logfWriter(func(format string, args ...any) {
				logf("%s: "+format, append([]any{n.Name}, args...)...)
			})})
			if err != nil {
				return err
			}
			d.AddSource(h.sock, func() { h.OnSocket(); h.maybeSweep() })
			d.AddSource(h.tun, h.OnDevice)
			return nil
		})
		if err != nil {
			return fmt.Errorf("GWLB target %s: starting its tunnel handler: %w", n.Name, err)
		}
		logf("%s: GWLB tunnel handler on UDP %d, inner packets on gwlb0", n.Name, packet.GENEVEPort)
	}
	return nil
}

// logfWriter makes a printf-style logger an io.Writer of lines.
type logfWriter func(format string, args ...any)

func (f logfWriter) Write(b []byte) (int, error) {
	f("%s", strings.TrimRight(string(b), "\n"))
	return len(b), nil
}

// listenUDP opens a non-blocking IPv4 UDP socket bound to addr.
func listenUDP(addr *net.UDPAddr) (int, error) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, 0)
	if err != nil {
		return -1, err
	}
	sa := &unix.SockaddrInet4{Port: addr.Port}
	if ip4 := addr.IP.To4(); ip4 != nil {
		copy(sa.Addr[:], ip4)
	}
	if err := unix.Bind(fd, sa); err != nil {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}
