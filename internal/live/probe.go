package live

import (
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/vpclab/vpclab/internal/packet"
)

// probeTimeout bounds how long Up waits for the lab to answer its ARP probe.
const probeTimeout = 10 * time.Second

// probe checks that the lab answers: from inside the first node's namespace it sends an ARP
// request for the router (or, from a host, for any other address) out of eth0 and waits for
// the dataplane's reply to come back in.
func (m *Manifest) probe() error {
	if len(m.Plan.Nodes) == 0 {
		return nil
	}
	n := m.Plan.Nodes[0]
	p := &n.Ports[0]
	mac, err := packet.ParseMAC(p.MAC)
	if err != nil {
		return err
	}
	self := p.Addrs[0].Addr()
	target := p.Gateway
	if !target.IsValid() {
		target = self.Next()
	}
	err = inNamespace(n.Namespace, func() error { return arpProbe(p.Device, mac, self, target) })
	if err != nil {
		return fmt.Errorf("the lab does not answer: %s %s asked who has %s and got no reply: %w", n.Name, p.Device, target, err)
	}
	return nil
}

// arpProbe sends an ARP request out of device dev of the calling thread's namespace until a
// reply about target comes in, or probeTimeout passes.
func arpProbe(dev string, mac packet.MAC, self, target netip.Addr) error {
	link, err := netlink.LinkByName(dev)
	if err != nil {
		return err
	}
	proto := htons(unix.ETH_P_ARP)
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, int(proto))
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	addr := &unix.SockaddrLinklayer{Protocol: proto, Ifindex: link.Attrs().Index}
	if err := unix.Bind(fd, addr); err != nil {
		return err
	}
	tv := unix.NsecToTimeval((100 * time.Millisecond).Nanoseconds())
	if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		return err
	}
	req := packet.ARPRequest(mac, self, target)
	buf := make([]byte, 1500)
	deadline := time.Now().Add(probeTimeout)
	for time.Now().Before(deadline) {
		if err := unix.Sendto(fd, req, 0, addr); err != nil {
			return err
		}
		for {
			n, _, err := unix.Recvfrom(fd, buf, 0)
			if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR) {
				break // resend
			}
			if err != nil {
				return err
			}
			_, _, et, body, err := packet.DecodeEthernet(buf[:n])
			if err != nil || et != packet.EtherTypeARP {
				continue
			}
			if a, err := packet.DecodeARP(body); err == nil && a.Op == packet.ARPOpReply && a.SenderIP == target {
				return nil
			}
		}
	}
	return fmt.Errorf("no reply in %s", probeTimeout)
}
