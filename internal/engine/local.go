package engine

import (
	"fmt"
	"github.com/vpclab/vpclab/internal/model"

	"github.com/vpclab/vpclab/internal/packet"
)

// localNode is the target of a VPC's local route (§1.2.1): the packet is delivered to the
// network interface that holds its destination, through that interface's subnet's network
// ACL inbound (§0 step 6).
type localNode struct{ vpc *cVPC }

func resolveLocal(_ *Network, v *cVPC, _ string) node { return v.local }

func (l *localNode) receive(e *ev, a arrival, p packet.Packet) {
	dst := l.vpc.byIP[p.Dst]
	if dst == nil || dst.subnet == nil {
		e.fatal(CodeUnknownDestination, l.vpc.comp, p, fmt.Sprintf("no network interface in %s holds %s", l.vpc.m.ID, p.Dst))
		return
	}
	dst.receive(e, a, p)
}

// enterAtSubnet: a packet appears in a subnet from no interface of the topology (Location
// FromSubnet): a spoofed source, past every interface's checks. The subnet forwards it (§0
// steps 3-5).
func enterAtSubnet(n *Network, id string) entry {
	if s := n.subnets[model.SubnetID(id)]; s != nil {
		return subnetEntry{s}
	}
	return nil
}

type subnetEntry struct{ s *cSubnet }

func (x subnetEntry) send(e *ev, p packet.Packet) {
	e.pass(x.s.comp, ActSend, p, "")
	e.forward(x.s, arrival{origin: OriginInside}, p)
}
