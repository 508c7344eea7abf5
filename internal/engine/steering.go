package engine

import (
	"net/netip"
	"slices"

	"github.com/vpclab/vpclab/internal/model"
)

// SteeringPrefixes lists, per VPC, the prefixes whose membership can change what the network
// does with a packet that leaves the VPC towards an address outside it, while it is still in
// the VPC or its gateways: the destinations of every route of the VPC's route tables (prefix
// lists expanded, VGW routes propagated, §1.2: the longest prefix decides), the networks
// beyond every VGW (§7.3.2) and the ranges an internet gateway refuses (§3.3). Two such
// addresses inside the same prefixes, and alike in being a public IP of the topology or not
// (PublicMapping), meet the same decisions; matrix and diff share one answer between them.
// Each list is sorted and holds every prefix once.
func (n *Network) SteeringPrefixes() map[model.VPCID][]netip.Prefix {
	global := append(slices.Clone(rfc1918), rfc6598)
	for p := range n.onPrem.All4() {
		global = append(global, p)
	}
	for _, g := range n.vgws {
		for p := range g.known.All4() {
			global = append(global, p)
		}
	}
	out := make(map[model.VPCID][]netip.Prefix, len(n.vpcs))
	for id := range n.vpcs {
		out[id] = slices.Clone(global)
	}
	for _, rt := range n.routeTables {
		if rt.vpc == nil {
			continue
		}
		id := rt.vpc.m.ID
		for p := range rt.lpm.All4() {
			out[id] = append(out[id], p)
		}
	}
	for id, ps := range out {
		slices.SortFunc(ps, func(x, y netip.Prefix) int {
			if c := x.Addr().Compare(y.Addr()); c != 0 {
				return c
			}
			return x.Bits() - y.Bits()
		})
		out[id] = slices.Compact(ps)
	}
	return out
}
