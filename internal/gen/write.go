package gen

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vpclab/vpclab/internal/model"
)

// WriteSnapshot writes a topology as describe-* JSON files into dir (created if missing),
// in the shape `aws ec2 describe-...` prints: Vpcs.json, Subnets.json, RouteTables.json,
// InternetGateways.json, NatGateways.json, Addresses.json, NetworkInterfaces.json,
// Reservations.json, SecurityGroups.json and NetworkAcls.json always; VpnGateways.json,
// VpnConnections.json, PrefixLists.json, VpcEndpoints.json, Firewalls.json, FirewallPolicies.json,
// RuleGroups.json, VpcPeeringConnections.json, TransitGateways.json,
// TransitGatewayAttachments.json, TransitGatewayVpcAttachments.json,
// TransitGatewayPeeringAttachments.json, TransitGatewayRouteTables.json and
// TransitGatewayPrefixListReferences.json, and for Gateway Load Balancers LoadBalancers.json,
// Listeners.json, TargetGroups.json, LoadBalancerTargetHealth.json, the *Attributes.json
// and ServiceConfigurations.json, when the topology has such objects, with each
// transit gateway route table's routes and propagations in Batfish's per-table wrappers,
// TransitGatewayStaticRoutes.json and TransitGatewayPropagations.json (§9.5). Keys are in
// alphabetical order, indented by four spaces, one answer per file.
//
// What describe-* prints but the model does not hold (owner account, association IDs,
// timestamps, DNS names, AMIs) is made up deterministically from the IDs. On-premises
// networks, internet hosts and Direct Connect gateways, associations and virtual interfaces
// are not written.
func WriteSnapshot(t *model.Topology, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	w := newWriter(t)
	_, withSvc := w.gwlbFiles()
	elb := w.elbItems()
	files := []struct {
		name, key string
		n         int
		item      func(int) any
		always    bool
	}{
		{"Vpcs.json", "Vpcs", len(t.VPCs), func(i int) any { return w.vpc(t.VPCs[i]) }, true},
		{"Subnets.json", "Subnets", len(t.Subnets), func(i int) any { return w.subnet(t.Subnets[i]) }, true},
		{"RouteTables.json", "RouteTables", len(t.RouteTables), func(i int) any { return w.routeTable(t.RouteTables[i]) }, true},
		{"InternetGateways.json", "InternetGateways", len(t.InternetGateways), func(i int) any { return w.igw(t.InternetGateways[i]) }, true},
		{"NatGateways.json", "NatGateways", len(t.NATGateways), func(i int) any { return w.nat(t.NATGateways[i]) }, true},
		{"Addresses.json", "Addresses", len(t.Addresses), func(i int) any { return w.address(t.Addresses[i]) }, true},
		{"NetworkInterfaces.json", "NetworkInterfaces", len(t.NetworkInterfaces), func(i int) any { return w.eni(t.NetworkInterfaces[i], false) }, true},
		{"Reservations.json", "Reservations", len(w.reservations), func(i int) any { return w.reservation(w.reservations[i]) }, true},
		{"SecurityGroups.json", "SecurityGroups", len(t.SecurityGroups), func(i int) any { return w.securityGroup(t.SecurityGroups[i]) }, true},
		{"NetworkAcls.json", "NetworkAcls", len(t.NetworkACLs), func(i int) any { return w.networkACL(t.NetworkACLs[i]) }, true},
		{"VpnGateways.json", "VpnGateways", len(t.VPNGateways), func(i int) any { return w.vgw(t.VPNGateways[i]) }, false},
		{"VpnConnections.json", "VpnConnections", len(t.VPNConnections), func(i int) any { return w.vpn(t.VPNConnections[i]) }, false},
		{"PrefixLists.json", "PrefixLists", len(t.PrefixLists), func(i int) any { return w.prefixList(t.PrefixLists[i]) }, false},
		{"VpcEndpoints.json", "VpcEndpoints", len(t.VPCEndpoints), func(i int) any { return w.vpcEndpoint(t.VPCEndpoints[i]) }, false},
		{"Firewalls.json", "Firewalls", len(t.Firewalls), func(i int) any { return w.firewall(t.Firewalls[i]) }, false},
		{"FirewallPolicies.json", "FirewallPolicies", len(t.FirewallPolicies), func(i int) any { return w.firewallPolicy(t.FirewallPolicies[i]) }, false},
		{"RuleGroups.json", "RuleGroups", len(t.RuleGroups), func(i int) any { return w.ruleGroup(t.RuleGroups[i]) }, false},
		{"VpcPeeringConnections.json", "VpcPeeringConnections", len(t.Peerings), func(i int) any { return w.peering(t.Peerings[i]) }, false},
		{"TransitGateways.json", "TransitGateways", len(t.TransitGateways), func(i int) any { return w.tgw(t.TransitGateways[i]) }, false},
		{"TransitGatewayAttachments.json", "TransitGatewayAttachments", len(t.TGWAttachments), func(i int) any { return w.tgwAttachment(t.TGWAttachments[i]) }, false},
		{"TransitGatewayVpcAttachments.json", "TransitGatewayVpcAttachments", len(w.vpcAttachments), func(i int) any { return w.tgwVPCAttachment(w.vpcAttachments[i]) }, false},
		{"TransitGatewayPeeringAttachments.json", "TransitGatewayPeeringAttachments", len(w.peeringAttachments), func(i int) any { return w.tgwPeeringAttachment(w.peeringAttachments[i]) }, false},
		{"TransitGatewayRouteTables.json", "TransitGatewayRouteTables", len(t.TGWRouteTables), func(i int) any { return w.tgwRouteTable(t.TGWRouteTables[i]) }, false},
		{"TransitGatewayStaticRoutes.json", "TransitGatewayStaticRoutes", len(t.TGWRouteTables), func(i int) any { return w.tgwRoutes(t.TGWRouteTables[i]) }, false},
		{"TransitGatewayPropagations.json", "TransitGatewayPropagations", len(t.TGWRouteTables), func(i int) any { return w.tgwPropagations(t.TGWRouteTables[i]) }, false},
		{"TransitGatewayPrefixListReferences.json", "TransitGatewayPrefixListReferences", len(w.plRefs), func(i int) any { return w.tgwPrefixListRef(w.plRefs[i]) }, false},
		// Gateway, Application and Network Load Balancers (elb.go, §13).
		{"LoadBalancers.json", "LoadBalancers", len(elb.lbs), func(i int) any { return elb.lbs[i] }, false},
		{"Listeners.json", "Listeners", len(elb.listeners), func(i int) any { return elb.listeners[i] }, false},
		{"LoadBalancerAttributes.json", "LoadBalancerAttributes", len(elb.lbAttrs), func(i int) any { return elb.lbAttrs[i] }, false},
		{"ListenerAttributes.json", "ListenerAttributes", len(elb.listenerAttrs), func(i int) any { return elb.listenerAttrs[i] }, false},
		{"TargetGroups.json", "TargetGroups", len(elb.tgs), func(i int) any { return elb.tgs[i] }, false},
		{"TargetGroupAttributes.json", "TargetGroupAttributes", len(elb.tgAttrs), func(i int) any { return elb.tgAttrs[i] }, false},
		{"LoadBalancerTargetHealth.json", "LoadBalancerTargetHealth", len(elb.health), func(i int) any { return elb.health[i] }, false},
		{"ServiceConfigurations.json", "ServiceConfigurations", len(withSvc), func(i int) any { return w.serviceConfig(withSvc[i]) }, false},
	}
	for _, f := range files {
		if f.n == 0 && !f.always {
			continue
		}
		if err := writeAnswer(filepath.Join(dir, f.name), f.key, f.n, f.item); err != nil {
			return err
		}
	}
	return nil
}

// writeAnswer streams {"<key>": [items...]} to path, indented as the AWS CLI does.
func writeAnswer(path, key string, n int, item func(int) any) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<20)
	if n == 0 {
		fmt.Fprintf(bw, "{\n    %q: []\n}\n", key)
		return bw.Flush()
	}
	fmt.Fprintf(bw, "{\n    %q: [", key)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("        ", "    ")
	for i := range n {
		buf.Reset()
		if err := enc.Encode(item(i)); err != nil {
			return err
		}
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString("\n        ")
		bw.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
	}
	bw.WriteString("\n    ]\n}\n")
	return bw.Flush()
}

// writer holds the indexes the answers need: who owns what, and what is made up.
type writer struct {
	t            *model.Topology
	owner        string
	subnets      map[model.SubnetID]*model.Subnet
	public       map[model.SubnetID]bool // routes 0.0.0.0/0 to an internet gateway
	sgNames      map[model.SecurityGroupID]string
	eniUsed      map[model.SubnetID]int
	eips         map[eipKey]*model.Address
	natOfENI     map[model.ENIID]*model.NATGateway
	instENIs     map[model.InstanceID][]*model.NetworkInterface
	reservations [][]*model.Instance
	transitIndex
}

// transitIndex is what the answers of what joins VPCs need (transit_json.go).
type transitIndex struct {
	regions            map[string]string // VPC and transit gateway ID → region
	tgws               map[model.TransitGatewayID]*model.TransitGateway
	attachments        map[model.TGWAttachmentID][]*model.TGWAttachment // a peering attachment has two ends
	vpcAttachments     []*model.TGWAttachment
	peeringAttachments []*model.TGWAttachment // once per ID
	plRefs             []tableRef
}

type eipKey struct {
	eni  model.ENIID
	addr string
}

func newWriter(t *model.Topology) *writer {
	w := &writer{t: t, subnets: map[model.SubnetID]*model.Subnet{}, sgNames: map[model.SecurityGroupID]string{},
		eniUsed: map[model.SubnetID]int{}, eips: map[eipKey]*model.Address{}, natOfENI: map[model.ENIID]*model.NATGateway{},
		instENIs: map[model.InstanceID][]*model.NetworkInterface{}}
	w.owner = account(t)
	for _, s := range t.Subnets {
		w.subnets[s.ID] = s
	}
	// A subnet is public (MapPublicIpOnLaunch) when its table, explicit or main, sends
	// 0.0.0.0/0 to an internet gateway.
	w.public = map[model.SubnetID]bool{}
	explicit, mainPublic := map[model.SubnetID]bool{}, map[model.VPCID]bool{}
	for _, rt := range t.RouteTables {
		public := false
		for _, r := range rt.Routes {
			public = public || r.Target.Kind == model.TargetInternetGateway && r.Destination.IsValid() && r.Destination.Bits() == 0
		}
		if rt.Main {
			mainPublic[rt.VPC] = public
		}
		for _, s := range rt.Subnets {
			explicit[s], w.public[s] = true, public
		}
	}
	for _, s := range t.Subnets {
		if !explicit[s.ID] {
			w.public[s.ID] = mainPublic[s.VPC]
		}
	}
	for _, g := range t.SecurityGroups {
		w.sgNames[g.ID] = g.Name
	}
	enis := map[model.ENIID]*model.NetworkInterface{}
	for _, e := range t.NetworkInterfaces {
		enis[e.ID] = e
		w.eniUsed[e.Subnet] += len(e.PrivateIPs)
	}
	for _, a := range t.Addresses {
		if e := enis[a.ENI]; e != nil {
			priv := a.PrivateIP
			if !priv.IsValid() {
				priv = e.PrimaryIP()
			}
			w.eips[eipKey{a.ENI, priv.String()}] = a
		}
	}
	for _, n := range t.NATGateways {
		for _, a := range n.Addresses {
			w.natOfENI[a.ENI] = n
		}
	}
	for _, in := range t.Instances {
		for _, id := range in.ENIs {
			if e := enis[id]; e != nil {
				w.instENIs[in.ID] = append(w.instENIs[in.ID], e)
			}
		}
	}
	if len(t.Peerings)+len(t.TransitGateways)+len(t.TGWAttachments)+len(t.TGWRouteTables) > 0 {
		w.indexTransit(t)
	}
	// One reservation per run of instances launched into the same subnet, as one
	// run-instances call makes.
	var last model.SubnetID
	for _, in := range t.Instances {
		s := w.subnetOf(in)
		if len(w.reservations) == 0 || s != last || s == "" {
			w.reservations = append(w.reservations, nil)
		}
		w.reservations[len(w.reservations)-1] = append(w.reservations[len(w.reservations)-1], in)
		last = s
	}
	return w
}

// account is the owner account the answers print for what the topology places in no
// account: its first VPC's, else one derived from that VPC's ID (what gen gives every VPC).
func account(t *model.Topology) string {
	switch {
	case len(t.VPCs) == 0:
		return accountOf("vpclab")
	case t.VPCs[0].Account != "":
		return t.VPCs[0].Account
	}
	return accountOf(string(t.VPCs[0].ID))
}

func accountOf(seed string) string { return fmt.Sprintf("%012d", hash(seed)%1e12) }

func (w *writer) indexTransit(t *model.Topology) {
	x := &w.transitIndex
	x.regions, x.tgws, x.attachments = map[string]string{}, map[model.TransitGatewayID]*model.TransitGateway{}, map[model.TGWAttachmentID][]*model.TGWAttachment{}
	for _, s := range t.Subnets {
		if x.regions[string(s.VPC)] == "" && s.AvailabilityZone != "" {
			x.regions[string(s.VPC)] = region(s.AvailabilityZone)
		}
	}
	for _, v := range t.VPCs {
		if v.Region != "" {
			x.regions[string(v.ID)] = v.Region
		}
	}
	for _, a := range t.TGWAttachments {
		if a.Type == model.AttachVPC && x.regions[string(a.TransitGateway)] == "" {
			x.regions[string(a.TransitGateway)] = x.regions[a.ResourceID]
		}
	}
	for _, g := range t.TransitGateways {
		x.tgws[g.ID] = g
		if g.Region != "" {
			x.regions[string(g.ID)] = g.Region
		}
	}
	for _, a := range t.TGWAttachments {
		switch {
		case a.Type == model.AttachVPC:
			x.vpcAttachments = append(x.vpcAttachments, a)
		case (a.Type == model.AttachPeering || a.Type == "tgw-peering") && len(x.attachments[a.ID]) == 0:
			x.peeringAttachments = append(x.peeringAttachments, a)
		}
		x.attachments[a.ID] = append(x.attachments[a.ID], a)
	}
	for _, rt := range t.TGWRouteTables {
		for _, r := range rt.PrefixListReferences {
			x.plRefs = append(x.plRefs, tableRef{rt, r})
		}
	}
}

func hash(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

func (w *writer) subnetOf(in *model.Instance) model.SubnetID {
	if es := w.instENIs[in.ID]; len(es) > 0 {
		return es[0].Subnet
	}
	return ""
}

// epoch is when the made-up resources were created; each gets a stable time in the year after.
var epoch = time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)

func created(id string) string {
	return epoch.Add(time.Duration(hash(id)%(365*24*3600)) * time.Second).Format("2006-01-02T15:04:05+00:00")
}

// derived makes the ID of an object describe-* prints but the model does not hold.
func derived(prefix, of string) string { return model.DeriveID(prefix, of) }

// tagList prints a resource's tags, with a Name tag for its name when the tags lack one
// (a lab names resources without tagging them).
func tagList(name string, tags []model.Tag) []awsTag {
	out := make([]awsTag, 0, len(tags)+1)
	named := false
	for _, t := range tags {
		out = append(out, awsTag(t))
		named = named || t.Key == "Name"
	}
	if name != "" && !named {
		out = append(out, awsTag{"Name", name})
	}
	return out
}

func (w *writer) zone(s model.SubnetID) string {
	if sub := w.subnets[s]; sub != nil && sub.AvailabilityZone != "" {
		return sub.AvailabilityZone
	}
	return "us-east-1a"
}

// estateRegion is the region of the generated Availability Zones, and of what the model
// places nowhere.
var estateRegion = region(zones[0])

func region(zone string) string { return strings.TrimRight(zone, "abcdefghijklmnopqrstuvwxyz") }

func zoneID(zone string) string {
	r := region(zone)
	short := strings.Map(func(c rune) rune {
		if c == '-' {
			return -1
		}
		return c
	}, r)
	if parts := strings.Split(r, "-"); len(parts) == 3 {
		short = parts[0] + string(parts[1][0]) + parts[2]
	}
	n := 1
	if c := zone[len(zone)-1]; c >= 'a' && c <= 'z' {
		n = int(c-'a') + 1
	}
	return fmt.Sprintf("%s-az%d", short, n)
}

func dnsSuffix(zone string) string {
	if r := region(zone); r != "us-east-1" {
		return r + ".compute.internal"
	}
	return "ec2.internal"
}

func privateDNS(ip, zone string) string {
	return "ip-" + strings.ReplaceAll(ip, ".", "-") + "." + dnsSuffix(zone)
}

func publicDNS(ip, zone string) string {
	r := region(zone)
	if r == "us-east-1" {
		return "ec2-" + strings.ReplaceAll(ip, ".", "-") + ".compute-1.amazonaws.com"
	}
	return "ec2-" + strings.ReplaceAll(ip, ".", "-") + "." + r + ".compute.amazonaws.com"
}
