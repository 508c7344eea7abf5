// Package lab loads vpclab's hand-written lab files: a compact YAML description of one or more
// VPCs that uses names instead of IDs and leaves out everything AWS would fill in itself.
//
//	vpc: {name: osaka, cidr: 10.0.0.0/16, internet_gateway: igw}
//	subnets:
//	  src: {cidr: 10.0.0.0/24, route_table: src-rt}
//	  dst: {cidr: 10.0.1.0/24}
//	  nat: {cidr: 10.0.2.0/24}
//	nat_gateways:
//	  osaka-NAT: {subnet: nat, connectivity: private, private_ip: 10.0.2.149}
//	route_tables:
//	  src-rt: {routes: {10.0.1.0/24: osaka-NAT, 0.0.0.0/0: igw}}
//	security_groups:
//	  vpc-only: {ingress: [{protocol: all, cidr: 10.0.0.0/16}]}
//	instances:
//	  source: {subnet: src, private_ip: 10.0.0.11, security_groups: [vpc-only]}
//
// The full format is described key by key in schema/lab.schema.json (editors complete and
// check labs with it) and in the doc comments of this package's files. In short:
//
//   - Objects are mappings of name → definition; the name becomes the object's Name (and its
//     Name tag) and seeds its ID: model.DeriveID(prefix, "<vpc>/<kind>/<name>"), so IDs are
//     the same on every run. Objects outside any VPC (VPCs, Elastic IPs, prefix lists,
//     peerings, transit gateways, virtual interfaces) use "<kind>/<name>"; a transit
//     gateway's route tables and attachments "<gateway>/<kind>/<name>"; Direct Connect
//     gateways get a UUID, as in AWS (model.DeriveUUID).
//   - One file may hold VPCs of several regions and accounts (region:, account:, at the top
//     as defaults and on each VPC), joined by peerings (peering.go), transit gateways
//     (transit.go) and Direct Connect gateways (dx.go).
//   - With one VPC (`vpc:`) every object lives in it; with several (`vpcs:`) subnets, route
//     tables, security groups, network ACLs and gateways say `vpc: <name>`. NAT gateways,
//     instances and interfaces live in the VPC of their subnet.
//   - What is left out gets AWS's default (model.ApplyDefaults): the main route table, local
//     routes, the default security group and network ACL, a security group's all-outbound
//     rule (§4.1.2), source/destination check on, initial TTL 255 (§6.7). Private IPs left out
//     are assigned deterministically: the lowest free address of the subnet after the five
//     AWS reserves (§6.4), in file order (NAT gateways first, then instances).
//
// Load and Parse report every problem in one pass, each with its file and line: YAML syntax,
// unknown keys (with a "did you mean"), unknown names, bad values, then AWS's configuration
// rules (model.Validate). A topology is always returned, even with errors; callers decide
// from Problems.HasErrors whether to use it.
package lab

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/vpclab/vpclab/internal/model"
)

// topLevelKeys are the keys a lab file may have, in the order the schema lists them.
var topLevelKeys = []string{
	"description", "region", "account", "vpc", "vpcs", "internet_gateways", "subnets", "route_tables", "main_route_table",
	"nat_gateways", "elastic_ips", "prefix_lists", "security_groups", "network_acls", "instances",
	"vpn_gateways", "peerings", "transit_gateways", "dx_gateways", "gateway_load_balancers", "load_balancers", "vpc_endpoints", "on_premises", "internet_hosts",
	"firewalls", "firewall_policies", "rule_groups",
}

// Load reads a YAML lab file. Parse does the same from bytes (name is used in messages).
func Load(path string) (*model.Topology, model.Problems) {
	data, err := os.ReadFile(path)
	if err != nil {
		var ps model.Problems
		ps.Errorf(model.Source{File: path}, "cannot read the lab: %v", err)
		return &model.Topology{}, ps
	}
	return Parse(path, data)
}

// Parse reads a YAML lab from data; name is the file name problems are reported against.
func Parse(name string, data []byte) (*model.Topology, model.Problems) {
	l := newLoader(name)
	if root := l.parse(data); root != nil {
		l.load(root)
	}
	model.ApplyDefaults(l.t)
	l.probs = append(l.probs, model.Validate(l.t)...)
	l.probs.Sort()
	return l.t, l.probs
}

// loader holds one parse: the topology being built, the problems found, and the names
// declared so far, one registry per kind.
type loader struct {
	file  string
	t     *model.Topology
	probs model.Problems
	top   *fields

	vpcs, subnets, routeTables, igws, nats, eips, prefixLists *registry
	sgs, nacls, instances, enis, vgws, vpces                  *registry
	fwEndpoints                                               *registry // firewall endpoints: "fw/az", "fw/subnet", "fw"
	peerings, tgws, vpns, dxgws, vifs, gwlbs                  *registry
	lbs                                                       *registry // Application and Network Load Balancers (lb.go)

	region, account string               // the lab-level defaults of region: and account:
	tgwScopes       map[string]*tgwScope // each transit gateway's route tables and attachments, by its name

	literalEIPs map[string]*model.Address // Elastic IPs written as addresses, by address
	pendingIPs  []pendingIP               // private IPs to assign once every explicit one is known
	eipUses     []eipUse                  // Elastic IP associations, made after IP assignment
	hosts       map[string]int            // names of instances and external hosts → line
}

func newLoader(name string) *loader {
	reg := newRegistry
	return &loader{
		file: name, t: &model.Topology{},
		vpcs:        reg("VPC", "vpc", "vpc"),
		subnets:     reg("subnet", "subnet", "subnet"),
		routeTables: reg("route table", "rtb", "route_table"),
		igws:        reg("internet gateway", "igw", "internet_gateway"),
		nats:        reg("NAT gateway", "nat", "nat_gateway"),
		eips:        reg("Elastic IP", "eipalloc", "elastic_ip"),
		prefixLists: reg("prefix list", "pl", "prefix_list"),
		vpces:       reg("VPC endpoint", "vpce", "vpc_endpoint"),
		fwEndpoints: reg("firewall endpoint", "vpce", "firewall_endpoint"),
		sgs:         reg("security group", "sg", "security_group"),
		nacls:       reg("network ACL", "acl", "network_acl"),
		instances:   reg("instance", "i", "instance"),
		enis:        reg("ENI", "eni", "network_interface"),
		vgws:        reg("VPN gateway", "vgw", "vpn_gateway"),
		peerings:    reg("peering", "pcx", "peering"),
		tgws:        reg("transit gateway", "tgw", "transit_gateway"),
		vpns:        reg("VPN connection", "vpn", "vpn_connection"),
		dxgws:       reg("Direct Connect gateway", "dxgw", "dx_gateway"),
		vifs:        reg("virtual interface", "dxvif", "virtual_interface"),
		gwlbs:       reg("Gateway Load Balancer", "gwlb", "gateway_load_balancer"),
		lbs:         reg("load balancer", "elb", "load_balancer"),
		tgwScopes:   map[string]*tgwScope{},
		literalEIPs: map[string]*model.Address{},
		hosts:       map[string]int{},
	}
}

// parse turns data into the root mapping node, or reports why it cannot.
func (l *loader) parse(data []byte) *yaml.Node {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := decode(dec, &doc); err != nil {
		if errors.Is(err, io.EOF) {
			l.errorf(1, "the lab is empty; start with vpc: {name: ..., cidr: ...}")
		} else {
			l.yamlError(err, data)
		}
		return nil
	}
	var next yaml.Node
	if err := decode(dec, &next); err == nil {
		l.errorf(next.Line, "a lab file holds one YAML document; a second one starts here")
	} else if !errors.Is(err, io.EOF) {
		l.yamlError(err, data)
	}
	root := deref(&doc)
	switch {
	case isNull(root):
		l.errorf(1, "the lab is empty; start with vpc: {name: ..., cidr: ...}")
		return nil
	case root.Kind != yaml.MappingNode:
		l.errorf(root.Line, "a lab file is a mapping of top-level keys (vpc, subnets, ...), got %s", describe(root))
		return nil
	}
	return root
}

// decode runs the YAML parser, turning a panic inside it into an error: bad input must never
// crash the loader, whoever is at fault.
func decode(dec *yaml.Decoder, n *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: the YAML parser failed: %v", r)
		}
	}()
	return dec.Decode(n)
}

var (
	yamlLineRE   = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
	yamlAnchorRE = regexp.MustCompile(`^yaml: unknown anchor '(.*)' referenced$`)
)

// yamlError reports a YAML syntax error at the offending line.
func (l *loader) yamlError(err error, data []byte) {
	msg, line := err.Error(), 0
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
		line = problemLine(data, msg, line)
	} else {
		if m := yamlAnchorRE.FindStringSubmatch(msg); m != nil {
			for i, text := range strings.Split(string(data), "\n") {
				if strings.Contains(text, "*"+m[1]) {
					line = i + 1
					break
				}
			}
		}
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	l.errorf(line, "YAML syntax error: %s", msg)
}

// problemLine finds the line a syntax error is on. yaml.v3 names the line where the enclosing
// construct starts ("line 2: did not find expected key" for a bad indent on line 4), so this
// looks for the shortest prefix of the file, ending at or after that line, that fails with
// the same problem: the problem is on that prefix's last line.
func problemLine(data []byte, msg string, reported int) int {
	lines := bytes.SplitAfter(data, []byte("\n"))
	if len(lines) > 2000 {
		return reported // not worth quadratic time; the reported line is close enough
	}
	n := 0
	for k, ln := range lines {
		n += len(ln)
		if k+1 < reported {
			continue
		}
		var doc yaml.Node
		err := decode(yaml.NewDecoder(bytes.NewReader(data[:n])), &doc)
		if err == nil {
			continue
		}
		if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil && m[2] == msg {
			return k + 1
		}
		return reported
	}
	return reported
}

// load declares every named object first (so references may point forward in the file), then
// fills in what refers to other objects, then assigns addresses.
func (l *loader) load(root *yaml.Node) {
	l.top = l.mapping(root, "", topLevelKeys)
	l.str(l.top.get("description"), "description") // free text for readers
	l.region, _ = l.regionName(l.top.get("region"), "region")
	l.account, _ = l.accountID(l.top.get("account"), "account")

	l.declareVPCs()
	l.declareInternetGateways()
	l.declarePrefixLists()
	l.emptyPrefixLists()
	l.declareElasticIPs()
	l.declareSubnets()
	l.declareRouteTables()
	l.declareSecurityGroups()
	l.declareNetworkACLs()
	l.declareVPNGateways()
	l.declareNATGateways()
	l.declareInstances()
	l.declarePeerings()
	l.declareTransitGateways()
	l.declareDXGateways()
	l.declareGWLBs()
	l.declareLBs()
	l.declareVPCEndpoints() // after GWLBs: a GWLB endpoint names its load balancer
	l.declareFirewalls()

	l.fillRouteTables()
	l.fillVPCEndpoints() // after the tables' own routes
	l.fillSubnets()
	l.fillNATGateways()
	l.fillInstances()
	l.fillGWLBs() // after instances: targets name them
	l.fillLBs()   // after instances: targets name them
	l.fillSecurityGroups()
	l.fillNetworkACLs()
	l.fillVPNGateways()
	l.fillDXGateways()
	l.fillTransitGateways() // after instances: their interfaces take addresses last
	l.loadOnPremises()
	l.loadInternetHosts()

	l.assignIPs()
	l.associateEIPs()
}
