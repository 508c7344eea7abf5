package live

import (
	"errors"
	"fmt"
	"os"
	"strconv"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
)

// dataplaneNamespace is the namespace of a veth lab that holds the dataplane's ends of the
// pairs (PlanLab keeps the name free).
func dataplaneNamespace(lab string) string { return NamespacePrefix(lab) + "dataplane" }

// build creates the namespaces and devices of the manifest's plan, recording each namespace in
// the manifest before creating it. It returns the lab's devices in plan order; on error the
// devices opened so far are closed and the caller removes what the manifest lists.
func build(m *Manifest) (devs []Device, err error) {
	defer func() {
		if err != nil {
			closeAll(devs)
			devs = nil
		}
	}()
	if m.Link == LinkVeth {
		dp := dataplaneNamespace(m.Lab)
		if err := m.create(dp, nil, nil); err != nil {
			return nil, err
		}
	}
	k := 0
	for _, n := range m.Plan.Nodes {
		err := m.create(n.Namespace, n, func() error {
			if m.Link == LinkVeth {
				return nil
			}
			h, err := netlink.NewHandle()
			if err != nil {
				return err
			}
			defer h.Close()
			for i := range n.Ports {
				p := &n.Ports[i]
				f, err := openTAP(p.Device, !m.Plan.NoTSO)
				if err != nil {
					return err
				}
				devs = append(devs, Device{Node: n, Port: p, FD: f, VnetHdr: true})
				if err := configurePort(h, p); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return devs, fmt.Errorf("%s %s: %w", n.Kind, n.Name, err)
		}
		if m.Link != LinkVeth {
			continue
		}
		for i := range n.Ports {
			p := &n.Ports[i]
			f, err := vethPort(m.Lab, n, p, "p"+strconv.Itoa(k))
			if err != nil {
				return devs, fmt.Errorf("%s %s: %w", n.Kind, n.Name, err)
			}
			devs = append(devs, Device{Node: n, Port: p, FD: f})
			k++
		}
	}
	return devs, nil
}

// create records a namespace in the manifest, creates it with IPv6 off, the settings of node
// n's kernel (nodeSysctls; none for nil) and lo up, and runs f inside it.
func (m *Manifest) create(name string, n *Node, f func() error) error {
	if namespaceExists(name) {
		return fmt.Errorf("%w: %s already exists and is not this lab's: remove it or choose another --name", errNamespaceTaken, name)
	}
	m.Namespaces = append(m.Namespaces, name)
	if err := m.save(); err != nil {
		return err
	}
	err := createNamespace(name, func() error {
		for _, k := range []string{"net.ipv6.conf.all.disable_ipv6", "net.ipv6.conf.default.disable_ipv6"} {
			if err := sysctl(k, "1"); err != nil {
				return err
			}
		}
		for _, kv := range nodeSysctls(n) {
			if err := sysctl(kv[0], kv[1]); err != nil {
				return err
			}
		}
		h, err := netlink.NewHandle()
		if err != nil {
			return err
		}
		defer h.Close()
		if err := setUp(h, "lo"); err != nil {
			return fmt.Errorf("bringing lo up: %w", err)
		}
		if f != nil {
			return f()
		}
		return nil
	})
	if errors.Is(err, errNamespaceTaken) {
		m.Namespaces = m.Namespaces[:len(m.Namespaces)-1] // someone else's: never ours to remove
		m.save()
	}
	return err
}

// nodeSysctls are the settings of a node's kernel, set before its devices exist so that the
// "default" ones apply to them: its initial TTL (§6.7), and whether it routes. A node that
// routes (an appliance, Node.Forward) is an EC2 appliance's image: ip_forward on, no ICMP
// redirects sent or taken (its next hop is the subnet's router, as is its sender's: a
// redirect would only tell the sender to skip it), and no reverse-path filter, which would
// drop a packet arriving on one ENI from a source routed through another. Every other node
// has forwarding off whatever the host's setting, which a new namespace may inherit.
func nodeSysctls(n *Node) [][2]string {
	if n == nil {
		return nil
	}
	var kv [][2]string
	if n.TTL != 0 {
		kv = append(kv, [2]string{"net.ipv4.ip_default_ttl", strconv.Itoa(int(n.TTL))})
	}
	if !n.Forward {
		return append(kv, [2]string{"net.ipv4.ip_forward", "0"})
	}
	kv = append(kv, [2]string{"net.ipv4.ip_forward", "1"})
	for _, scope := range []string{"all", "default"} {
		for _, k := range []string{"send_redirects", "accept_redirects", "rp_filter"} {
			kv = append(kv, [2]string{"net.ipv4.conf." + scope + "." + k, "0"})
		}
	}
	return kv
}

// vethPort makes the veth pair of a port: the device in the node's namespace, offloads off,
// and its peer (named peer) in the lab's dataplane namespace, read by an AF_PACKET socket.
func vethPort(lab string, n *Node, p *Port, peer string) (int, error) {
	dp := dataplaneNamespace(lab)
	err := inNamespace(dp, func() error {
		target, err := netns.GetFromName(n.Namespace)
		if err != nil {
			return err
		}
		defer target.Close()
		v := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: peer, MTU: vpcMTU}, PeerName: p.Device,
			PeerNamespace: netlink.NsFd(int(target))}
		if err := netlink.LinkAdd(v); err != nil {
			return fmt.Errorf("creating the veth pair %s/%s: %w", peer, p.Device, err)
		}
		return nil
	})
	if err != nil {
		return -1, err
	}
	err = inNamespace(n.Namespace, func() error {
		if err := offloadsOff(p.Device); err != nil {
			return err
		}
		h, err := netlink.NewHandle()
		if err != nil {
			return err
		}
		defer h.Close()
		return configurePort(h, p)
	})
	if err != nil {
		return -1, err
	}
	f := -1
	err = inNamespace(dp, func() error {
		h, err := netlink.NewHandle()
		if err != nil {
			return err
		}
		defer h.Close()
		if err := setUp(h, peer); err != nil {
			return err
		}
		f, err = openPacketSocket(peer)
		return err
	})
	return f, err
}

// teardown removes what the manifest lists, last created first, and the lab's directory.
func (m *Manifest) teardown() error {
	var errs []error
	for i := len(m.Namespaces) - 1; i >= 0; i-- {
		if err := deleteNamespace(m.Namespaces[i]); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	return os.RemoveAll(LabDir(m.Lab))
}
