package serve

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/vpclab/vpclab/internal/ec2api"
	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/topology"
)

// describeDoc is the state as the describe-* answers would give it, in one document: the
// snapshot loader reads it as a single-file snapshot, and `vpclab serve --export` writes it.
type describeDoc struct {
	Vpcs              []*ec2api.Vpc              `json:",omitzero"`
	Subnets           []*ec2api.Subnet           `json:",omitzero"`
	InternetGateways  []*ec2api.InternetGateway  `json:",omitzero"`
	RouteTables       []*ec2api.RouteTable       `json:",omitzero"`
	SecurityGroups    []*ec2api.SecurityGroup    `json:",omitzero"`
	NetworkAcls       []*ec2api.NetworkAcl       `json:",omitzero"`
	NetworkInterfaces []*ec2api.NetworkInterface `json:",omitzero"`
	Reservations      []*ec2api.Reservation      `json:",omitzero"`
	NatGateways       []*ec2api.NatGateway       `json:",omitzero"`
	Addresses         []*ec2api.Address          `json:",omitzero"`

	VpcPeeringConnections []*ec2api.VpcPeeringConnection `json:",omitzero"`
	VpnGateways           []*ec2api.VpnGateway           `json:",omitzero"`
	VpnConnections        []*ec2api.VpnConnection        `json:",omitzero"`
	CustomerGateways      []*ec2api.CustomerGateway      `json:",omitzero"` // imported, not exported
	VpcEndpoints          []*ec2api.VpcEndpoint          `json:",omitzero"`
	PrefixLists           []*ec2api.PrefixList           `json:",omitzero"` // AWS's, derived: exported only
	Transit               transitDoc                     `json:",embed"`
}

// export is the state's describe-* document. With vpcs set it holds only those VPCs and what
// is in them (the part a write is validated on); every key is written, empty or not, so the
// loader knows each answer was given.
func (st *state) export(vpcs map[string]bool) describeDoc {
	in := func(id *string) bool { return vpcs == nil || vpcs[val(id)] }
	d := describeDoc{
		Vpcs:    part(&st.vpcs, vpcs, func(v *ec2api.Vpc) bool { return in(v.VpcId) }),
		Subnets: part(&st.subnets, vpcs, func(v *ec2api.Subnet) bool { return in(v.VpcId) }),
		InternetGateways: part(&st.igws, vpcs, func(v *ec2api.InternetGateway) bool {
			return slices.ContainsFunc(v.Attachments, func(a ec2api.InternetGatewayAttachment) bool { return in(a.VpcId) })
		}),
		RouteTables:       part(&st.routeTables, vpcs, func(v *ec2api.RouteTable) bool { return in(v.VpcId) }),
		SecurityGroups:    part(&st.groups, vpcs, func(v *ec2api.SecurityGroup) bool { return in(v.VpcId) }),
		NetworkAcls:       part(&st.acls, vpcs, func(v *ec2api.NetworkAcl) bool { return in(v.VpcId) }),
		NetworkInterfaces: part(&st.enis, vpcs, func(v *ec2api.NetworkInterface) bool { return in(v.VpcId) }),
		Reservations:      st.reservationsIn(vpcs, in),
		NatGateways:       part(&st.nats, vpcs, func(v *ec2api.NatGateway) bool { return in(v.VpcId) }),
		Addresses:         st.addresses.all(),
		VpcPeeringConnections: part(&st.peerings, vpcs, func(p *ec2api.VpcPeeringConnection) bool {
			return in(p.RequesterVpcInfo.VpcId) || in(p.AccepterVpcInfo.VpcId)
		}),
		VpnGateways: part(&st.vgws, vpcs, func(g *ec2api.VpnGateway) bool { return vpcs == nil || vpcs[attachedVPC(g)] }),
		VpnConnections: part(&st.vpns, vpcs, func(v *ec2api.VpnConnection) bool {
			g := st.vgws.get(val(v.VpnGatewayId))
			return vpcs == nil || g != nil && vpcs[attachedVPC(g)]
		}),
		VpcEndpoints: part(&st.vpces, vpcs, func(e *ec2api.VpcEndpoint) bool { return in(e.VpcId) }),
		// CustomerGateways are left out: the loader does not read them (it warns), and a
		// VPN connection's on-premises side is its static routes.
		Transit: st.exportTransit(),
	}
	if len(d.VpcEndpoints) > 0 {
		d.PrefixLists = prefixLists(st.region) // what the endpoints' routes point at
	}
	return d
}

// part is the table's records in ID order: all of them when vpcs is nil, else those keep
// accepts, found without sorting the whole table (a write's validation exports the few
// VPCs it touched, however large the lab).
func part[T any](t *table[T], vpcs map[string]bool, keep func(*T) bool) []*T {
	if vpcs == nil {
		return t.all()
	}
	ids := []string{}
	for id, v := range t.m {
		if keep(v) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	out := make([]*T, len(ids))
	for i, id := range ids {
		out[i] = t.m[id]
	}
	return out
}

// reservationsIn are the reservations with an instance that in accepts the VPC of, holding
// those instances only.
func (st *state) reservationsIn(vpcs map[string]bool, in func(*string) bool) []*ec2api.Reservation {
	out := []*ec2api.Reservation{}
	for _, r := range part(&st.reservations, vpcs, func(r *ec2api.Reservation) bool {
		return slices.ContainsFunc(r.Instances, func(i ec2api.Instance) bool { return in(i.VpcId) })
	}) {
		cp := *r
		cp.Instances = nil
		for i := range r.Instances {
			if in(r.Instances[i].VpcId) {
				cp.Instances = append(cp.Instances, st.instanceView(&r.Instances[i]))
			}
		}
		if len(cp.Instances) > 0 {
			out = append(out, &cp)
		}
	}
	return out
}

// pick returns the elements keep accepts, never nil (an empty answer is still an answer).
func pick[T any](all []T, keep func(T) bool) []T {
	out := make([]T, 0, len(all))
	for _, v := range all {
		if keep(v) {
			out = append(out, v)
		}
	}
	return out
}

// exportJSON is export as the JSON the loader reads.
func (st *state) exportJSON(vpcs map[string]bool) []byte {
	b, err := json.Marshal(st.export(vpcs), json.Deterministic(true))
	if err != nil {
		panic("serve: the state does not marshal: " + err.Error())
	}
	return b
}

// Export writes the whole state as one describe-* JSON document, indented: every vpclab
// command reads it as a snapshot.
func (s *Server) Export() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := json.Marshal(s.st.export(nil), json.Deterministic(true), jsonIndent)
	if err != nil {
		panic("serve: the state does not marshal: " + err.Error())
	}
	return append(b, '\n')
}

var jsonIndent = jsontext.WithIndent("    ") // as the AWS CLI indents

// topology loads the state (or the part of it vpcs names) with the snapshot loader, applies
// AWS's defaults and validates it: the one path every vpclab input takes.
func (st *state) topology(vpcs map[string]bool) (*model.Topology, model.Problems) {
	return topology.LoadJSON("the served lab", st.exportJSON(vpcs))
}

// validate runs the loader's validation on the VPCs the request changed: a change that
// makes the lab one vpclab cannot read is refused, with the loader's message, as
// InvalidParameterValue (the API-level checks with AWS's own codes have run before).
func (s *Server) validate(c *call) error {
	if len(c.vpcs) == 0 {
		return nil
	}
	_, probs := c.st.topology(c.st.withTargets(c.vpcs))
	for _, p := range probs {
		if p.Severity == model.Error {
			return errorf("InvalidParameterValue", "%s", p.Message)
		}
	}
	return nil
}

// withTargets is vpcs and the VPCs their route tables' targets are in: a route that
// leads into another VPC is checked with that VPC loaded, not taken for a missing target.
func (st *state) withTargets(vpcs map[string]bool) map[string]bool {
	out := maps.Clone(vpcs)
	for _, rt := range st.routeTables.m {
		if !vpcs[val(rt.VpcId)] {
			continue
		}
		for _, r := range rt.Routes {
			if n := st.nats.get(val(r.NatGatewayId)); n != nil {
				out[val(n.VpcId)] = true
			}
			if e := st.enis.get(val(r.NetworkInterfaceId)); e != nil {
				out[val(e.VpcId)] = true
			}
			if p := st.peerings.get(val(r.VpcPeeringConnectionId)); p != nil {
				out[val(p.RequesterVpcInfo.VpcId)], out[val(p.AccepterVpcInfo.VpcId)] = true, true
			}
		}
	}
	return out
}

// network is the state compiled by the engine, cached until the next write. The caller
// holds s.mu.
func (s *Server) network() (*engine.Network, error) {
	if s.net != nil && s.netVersion == s.st.version {
		return s.net, nil
	}
	t, probs := s.st.topology(nil)
	if probs.HasErrors() {
		return nil, fmt.Errorf("the served lab does not load: %v", probs.Error())
	}
	n, cprobs := engine.Compile(t)
	if cprobs.HasErrors() {
		return nil, fmt.Errorf("the served lab does not compile: %v", cprobs.Error())
	}
	s.net, s.netVersion = n, s.st.version
	return n, nil
}

// retention is how long a deleted NAT gateway or a terminated instance stays visible, as
// AWS keeps them (about an hour) for waiters and consoles to see the final state.
const retention = time.Hour

// settle moves resources on from their transitional states once Settle has passed since
// they entered them (pending → available, deleting → deleted, ...), and forgets deleted
// ones after the retention. It runs at the start of every request, under the lock, on the
// resources the state lists as transitional only.
func (s *Server) settle(c *call) {
	now := s.opt.Now()
	for key, since := range s.transient {
		age := now.Sub(since)
		if age < s.opt.Settle {
			continue
		}
		kind, id := key[0], key[1]
		switch kind {
		case "nat-gateway":
			n := c.st.nats.get(id)
			if n == nil {
				delete(s.transient, key)
				continue
			}
			switch val(n.State) {
			case "pending":
				c.touch(kind, id)
				n.State = str("available")
				delete(s.transient, key)
			case "deleting":
				c.touch(kind, id)
				n.State = str("deleted")
				n.DeleteTime = timep(now)
			case "deleted":
				if age >= retention {
					c.touch(kind, id)
					c.st.nats.remove(id)
					delete(s.transient, key)
				}
			}
		case "instance":
			s.settleInstance(c, id, age)
		case "vpc-peering-connection":
			s.settlePeering(c, id, age)
		case kindTGW, kindTGWAttach, kindTGWTable:
			s.settleTransit(c, kind, id, age)
		}
	}
}

func timep(t time.Time) *time.Time {
	t = t.UTC().Truncate(time.Millisecond)
	return &t
}
