package live

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/packet"
)

// WallClock is the engine's clock in live mode: real time, so connection tracking and NAT
// mappings expire after AWS's timeouts (§4.2.5, §2.2.8).
type WallClock struct{}

// Now is time.Now.
func (WallClock) Now() time.Time { return time.Now() }

// EnvTrace, set to anything in the dataplane's environment, turns Dataplane.Trace on.
const EnvTrace = "VPCLAB_TRACE"

// Device is one port of a running lab: the node and port it belongs to and the descriptor
// its frames are read from and written to (a TAP or an AF_PACKET socket, non-blocking).
type Device struct {
	Node *Node
	Port *Port
	FD   int
	// VnetHdr says frames carry a virtio-net header first (a TAP opened with IFF_VNET_HDR).
	VnetHdr bool
}

// Dataplane carries frames between the devices of a lab through the engine, on one OS thread
// that waits on every device with its own epoll set (run.go). The engine's State is not safe
// for concurrent use; the loop owns it, and a mutex lets Mappings read it meanwhile.
type Dataplane struct {
	net   *engine.Network
	mu    sync.Mutex // guards state
	state *engine.State
	ports []*port
	byENI map[model.ENIID]*port
	hosts map[netip.Addr]*port // declared hosts by address
	// services are the AWS services behind gateway endpoints, by endpoint ID.
	services map[string]*port
	log      *dropLog
	// Trace logs every packet the devices send and what became of it (not rate limited); it
	// starts set when the environment has EnvTrace.
	Trace bool
	// sources are descriptors other than the devices that the loop serves too (AddSource).
	sources []source
}

// source is a descriptor the loop watches, and what to do when it is readable.
type source struct {
	fd    int
	ready func()
}

// AddSource has Run call ready, on its own thread, whenever fd is readable, before Run
// starts. The GWLB targets' tunnel handlers are served so (gwlbhandler.go): the frame the
// dataplane writes to a target's device is usually in the handler's socket by the loop's
// next epoll_wait, and the handler's answer in the device by the one after, with no thread
// to wake in between.
func (d *Dataplane) AddSource(fd int, ready func()) {
	d.sources = append(d.sources, source{fd, ready})
}

// port is one device at run time.
type port struct {
	dev  Device
	vnet int // bytes of virtio-net header in front of each frame
	mac  packet.MAC
	own  []netip.Addr
	loc  engine.Location
	host string // KindInternetHost or KindOnPremHost for a host's port
}

// NewDataplane prepares a dataplane over a compiled network and the lab's devices; logf
// receives one line per dropped packet (rate limited) and per device error.
func NewDataplane(n *engine.Network, devs []Device, logf func(format string, args ...any)) (*Dataplane, error) {
	d := &Dataplane{
		net:      n,
		state:    engine.NewState(WallClock{}, rand.Uint64()),
		byENI:    map[model.ENIID]*port{},
		hosts:    map[netip.Addr]*port{},
		services: map[string]*port{},
		log:      newDropLog(logf),
		Trace:    os.Getenv(EnvTrace) != "",
	}
	for _, dev := range devs {
		if dev.VnetHdr != devs[0].VnetHdr {
			return nil, errors.New("the devices of a lab must all carry a virtio-net header, or none")
		}
		mac, err := packet.ParseMAC(dev.Port.MAC)
		if err != nil {
			return nil, fmt.Errorf("%s %s: MAC %q: %w", dev.Node.Name, dev.Port.Device, dev.Port.MAC, err)
		}
		p := &port{dev: dev, mac: mac, loc: dev.Node.location(dev.Port)}
		if dev.VnetHdr {
			p.vnet = vnetHdrLen
		}
		for _, a := range dev.Port.Addrs {
			p.own = append(p.own, a.Addr())
		}
		switch {
		case dev.Port.ENI != "":
			d.byENI[dev.Port.ENI] = p
		case dev.Node.Kind == KindServiceHost:
			p.host = KindServiceHost
			d.services[dev.Port.Beyond.Resource] = p
		default:
			p.host = dev.Node.Kind
			d.hosts[dev.Port.Addrs[0].Addr()] = p
		}
		d.ports = append(d.ports, p)
	}
	return d, nil
}

// Close closes every device.
func (d *Dataplane) Close() {
	for _, p := range d.ports {
		unix.Close(p.dev.FD)
	}
}

// Mappings reports the NAT mappings and tracked flows the engine's state holds.
func (d *Dataplane) Mappings() (nat, flows int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.state.Mappings()
}

// sendOptions: only drops are logged, so no hops are recorded; appliances are the instances'
// own kernels (engine.Options.RealAppliances), which forward what the engine delivers to them
// and send it back in at their ENI.
var sendOptions = engine.Options{SkipHops: true, RealAppliances: true}

func (d *Dataplane) send(at engine.Location, p packet.Packet) *engine.Result {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.net.SendWith(d.state, at, p, sendOptions)
}

// portOf is the device a journey ends at: the ENI it was delivered to, or the declared host it
// left towards; nil when the lab has no namespace there.
func (d *Dataplane) portOf(r *engine.Result) *port {
	switch r.Outcome {
	case engine.Delivered:
		return d.byENI[r.ENI]
	case engine.Exited:
		if r.Exit.Gateway.Kind == engine.KindVPCEndpoint {
			return d.services[r.Exit.Gateway.ID]
		}
		p := d.hosts[r.Packet.Dst]
		if p == nil {
			return nil
		}
		if (r.Exit.To.Kind == engine.KindInternet) != (p.host == KindInternetHost) {
			return nil // left through the other kind of gateway than the host sits behind
		}
		return p
	}
	return nil
}

func (p *port) owns(a netip.Addr) bool {
	for _, o := range p.own {
		if o == a {
			return true
		}
	}
	return false
}

// dropLog writes drop explanations, at most burst lines per second; it then counts what it
// left out and says so once the second is over.
type dropLog struct {
	mu         sync.Mutex
	logf       func(string, ...any)
	second     time.Time
	n, skipped int
}

const dropBurst = 50

func newDropLog(logf func(string, ...any)) *dropLog {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	return &dropLog{logf: logf}
}

func (l *dropLog) printf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now().Truncate(time.Second)
	if !now.Equal(l.second) {
		if l.skipped > 0 {
			l.logf("(%d more lines left out)", l.skipped)
		}
		l.second, l.n, l.skipped = now, 0, 0
	}
	if l.n++; l.n > dropBurst {
		l.skipped++
		return
	}
	l.logf(format, args...)
}

func (l *dropLog) drop(r *engine.Result) {
	if r.Code == engine.CodeTTLExceeded && r.Generated != nil {
		return // a traceroute probe doing its job
	}
	l.printf("drop %s: %s at %s: %s", r.Packet.String(), r.Code, r.At, r.Detail)
}
