package lab

import (
	"github.com/vpclab/vpclab/internal/model"
)

// VPC peering connections (§7.1) between VPCs of the lab, in any region and account.
//
//	peerings:
//	  a-b:
//	    requester: a               # VPC names
//	    accepter: b
//	    status: active             # the default; pending-acceptance, deleted, ... do not forward (§7.1.3)
//	    allow_dns: true            # AllowDnsResolutionFromRemoteVpc on both sides (§7.1.14)
//	route_tables:
//	  a-rt: {vpc: a, routes: {10.1.0.0/16: a-b}}   # or pcx:a-b when the name is ambiguous
//	security_groups:
//	  web: {vpc: a, ingress: [{protocol: tcp, port: 22, group: b-web}]}   # a group of VPC b
//
// Each side records its VPC's blocks, region and account, as AWS does (§9.4). A rule naming a
// group of another VPC records that VPC, the peering joining the two and, when the accounts
// differ, the group's account (§7.1.11).

var peeringKeys = []string{"requester", "accepter", "status", "allow_dns", "tags"}

// peeringStatuses are the Status.Code values of §7.1.3, the forwarding one first.
var peeringStatuses = []string{model.StateActive, "initiating-request", "pending-acceptance", "provisioning",
	"rejected", "expired", "failed", "deleting", "deleted"}

func (l *loader) declarePeerings() {
	for _, e := range l.entries(l.top.get("peerings"), "peering") {
		f := l.mapping(e.val, "peering "+e.name, peeringKeys)
		d := l.add(l.peerings, e.name, e.line, f, nil)
		if d == nil {
			continue
		}
		p := &model.VPCPeering{ID: model.PeeringID(d.id), Status: model.StateActive, Name: e.name, Tags: l.tags(f, e.name), Src: l.src(e.line)}
		for _, side := range []struct {
			key, need string
			s         *model.PeeringSide
		}{{"requester", "a requester", &p.Requester}, {"accepter", "an accepter", &p.Accepter}} {
			if f.get(side.key) == nil {
				l.need(f, side.key, e.line, side.need+" (a VPC name)")
			} else if v := l.ref(l.vpcs, f.get(side.key), f.what+": "+side.key); v != nil {
				*side.s = peeringSide(v.obj.(*model.VPC))
			}
		}
		if s, ok := l.oneOf(f.get("status"), f.what+": status", peeringStatuses...); ok {
			p.Status = s
		}
		if b, ok := l.boolean(f.get("allow_dns"), f.what+": allow_dns"); ok {
			p.Requester.AllowDNS, p.Accepter.AllowDNS = b, b
		}
		d.obj = p
		l.t.Peerings = append(l.t.Peerings, p)
	}
}

// peeringSide is what AWS records of a VPC on a peering: its blocks, region and account.
func peeringSide(v *model.VPC) model.PeeringSide {
	s := model.PeeringSide{VPC: v.ID, Account: v.Account, Region: v.Region}
	for _, c := range v.CIDRs {
		if c.Addr().Is4() {
			s.CIDRs = append(s.CIDRs, c)
		} else {
			s.IPv6CIDRs = append(s.IPv6CIDRs, c)
		}
	}
	return s
}

// peeringBetween is the live peering the lab declares between two VPCs, or "".
func (l *loader) peeringBetween(a, b model.VPCID) model.PeeringID {
	for _, p := range l.t.Peerings {
		switch p.Status {
		case "rejected", "expired", "failed", "deleting", "deleted":
			continue
		}
		if (p.Requester.VPC == a && p.Accepter.VPC == b) || (p.Requester.VPC == b && p.Accepter.VPC == a) {
			return p.ID
		}
	}
	return ""
}

// crossVPCGroup fills in what AWS records of a rule naming a group of another VPC: that VPC,
// the peering joining the two, and the group's account when it differs (§7.1.11).
func (l *loader) crossVPCGroup(r *model.SecurityGroupRule, own *decl) {
	if own == nil || own.vpc == nil {
		return
	}
	var peer *model.SecurityGroup
	for _, d := range l.sgs.list {
		if g := d.obj.(*model.SecurityGroup); g.ID == r.Group {
			peer = g
		}
	}
	if peer == nil || peer.VPC == "" || peer.VPC == own.vpcID() {
		return
	}
	r.GroupVPC = peer.VPC
	r.GroupPeering = l.peeringBetween(own.vpcID(), peer.VPC)
	mine, theirs := own.vpc.obj.(*model.VPC), l.vpcByID(peer.VPC)
	if theirs != nil && theirs.Account != mine.Account {
		r.GroupAccount = theirs.Account
	}
}

func (l *loader) vpcByID(id model.VPCID) *model.VPC {
	for _, d := range l.vpcs.list {
		if v := d.obj.(*model.VPC); v.ID == id {
			return v
		}
	}
	return nil
}
