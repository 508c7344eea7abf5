package lab

import (
	"slices"
	"strings"
	"testing"

	"github.com/vpclab/vpclab/internal/model"
)

const endpointLab = `vpc: {name: a, cidr: 10.0.0.0/16, region: us-east-1}
prefix_lists:
  com.amazonaws.us-east-1.s3: {id: pl-63a5400a, cidrs: [52.216.0.0/15, 54.231.0.0/17]}
subnets:
  private: {cidr: 10.0.1.0/24, route_table: private}
  other: {cidr: 10.0.2.0/24, route_table: other}
route_tables:
  private: {}
  other: {}
vpc_endpoints:
  s3:
    service: s3
    route_tables: [private]
`

// TestVPCEndpointLab_7_4: a lab declares a gateway endpoint by its service's short name; the
// region makes the full name, the prefix list named like it is its list, and AWS's route is
// installed in each of its tables and no other (§7.4.1-2).
func TestVPCEndpointLab_7_4(t *testing.T) {
	top, ps := Parse("lab.yaml", []byte(endpointLab))
	if len(ps) > 0 {
		t.Fatalf("problems:\n%v", ps)
	}
	if len(top.VPCEndpoints) != 1 {
		t.Fatalf("endpoints = %+v", top.VPCEndpoints)
	}
	ep := top.VPCEndpoints[0]
	private, other := top.RouteTables[0], top.RouteTables[1]
	if ep.Type != model.EndpointGateway || ep.ServiceName != "com.amazonaws.us-east-1.s3" || ep.PrefixList != "pl-63a5400a" ||
		ep.State != "available" || ep.VPC != top.VPCs[0].ID || !slices.Equal(ep.RouteTables, []model.RouteTableID{private.ID}) ||
		!strings.HasPrefix(string(ep.ID), "vpce-") || ep.Src.Line != 11 {
		t.Errorf("endpoint = %+v", ep)
	}
	want := model.Route{DestinationPrefixList: "pl-63a5400a", Target: model.Target{Kind: model.TargetVPCEndpoint, ID: string(ep.ID)},
		Origin: model.OriginCreateRoute, State: model.RouteActive, Src: model.Source{File: "lab.yaml", Line: 11}}
	if !slices.Contains(private.Routes, want) {
		t.Errorf("private table's routes %+v lack %+v", private.Routes, want)
	}
	for _, r := range other.Routes {
		if r.Target.Kind == model.TargetVPCEndpoint {
			t.Errorf("the other table has the endpoint's route: %+v", r)
		}
	}
}

// TestVPCEndpointLabBadInput: each mistake is an error at its line.
func TestVPCEndpointLabBadInput(t *testing.T) {
	tests := []struct {
		name, lab string
		line      int
		want      string
	}{
		{"prefix list with no entries (§7.4.3)", strings.Replace(endpointLab, "{id: pl-63a5400a, cidrs: [52.216.0.0/15, 54.231.0.0/17]}", "{id: pl-63a5400a, cidrs: []}", 1),
			3, "prefix list com.amazonaws.us-east-1.s3 has no entries: give it cidrs (§7.4.3)"},
		{"route to the endpoint in a table it is not associated with (§7.4.2)", strings.Replace(endpointLab, "  other: {}", "  other: {routes: {com.amazonaws.us-east-1.s3: vpce:s3}}", 1),
			9, "route com.amazonaws.us-east-1.s3 in other: route table other is not associated with gateway endpoint s3"},
		{"service without a gateway endpoint (§7.4.1)", strings.Replace(endpointLab, "service: s3", "service: ec2", 1),
			12, `service "com.amazonaws.us-east-1.ec2" has no gateway endpoint`},
		{"no prefix list for the service", strings.Replace(endpointLab, "com.amazonaws.us-east-1.s3: {id", "s3-list: {id", 1),
			11, "VPC endpoint s3: needs the service's prefix list: declare prefix_lists: {com.amazonaws.us-east-1.s3: {cidrs: [...]}}"},
		{"missing route table", strings.Replace(endpointLab, "route_tables: [private]", "route_tables: [privat]", 1),
			13, `no route table named "privat"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { wantLabError(t, tc.lab, tc.line, tc.want) })
	}
}

const interfaceLab = `vpc: {name: a, cidr: 10.0.0.0/16, region: eu-west-1}
subnets:
  app-a: {cidr: 10.0.1.0/24, az: eu-west-1a}
  app-b: {cidr: 10.0.2.0/24, az: eu-west-1b}
security_groups:
  ep: {ingress: [{protocol: tcp, port: 443, cidr: 10.0.0.0/8}]}
vpc_endpoints:
  ec2:
    type: interface
    service: ec2
    subnets: [app-a, app-b]
    security_groups: [ep]
    private_ips: {app-a: 10.0.1.50}
`

// TestInterfaceEndpointLab_7_4_11: an interface endpoint gets a requester-managed interface
// of type vpc_endpoint in each subnet, with its groups, at the address the lab gives or the
// first free one; its service is the region's, on port 443 (§7.4.11-13).
func TestInterfaceEndpointLab_7_4_11(t *testing.T) {
	top, ps := Parse("lab.yaml", []byte(interfaceLab))
	if len(ps) > 0 {
		t.Fatalf("problems:\n%v", ps)
	}
	ep := top.VPCEndpoints[0]
	if ep.Type != model.EndpointInterface || ep.ServiceName != "com.amazonaws.eu-west-1.ec2" || !slices.Equal(ep.Ports, []uint16{443}) ||
		len(ep.NetworkInterfaces) != 2 || len(ep.Subnets) != 2 || len(ep.SecurityGroups) != 1 {
		t.Fatalf("endpoint = %+v", ep)
	}
	var got []string
	for _, e := range top.NetworkInterfaces {
		if e.Type == model.InterfaceTypeVPCEndpoint {
			got = append(got, e.PrimaryIP().String()+" "+string(e.SecurityGroups[0])+" "+e.Description)
			if !slices.Contains(ep.NetworkInterfaces, e.ID) {
				t.Errorf("interface %s is not the endpoint's", e.ID)
			}
		}
	}
	want := []string{"10.0.1.50 " + string(ep.SecurityGroups[0]) + " VPC Endpoint Interface " + string(ep.ID),
		"10.0.2.4 " + string(ep.SecurityGroups[0]) + " VPC Endpoint Interface " + string(ep.ID)}
	if !slices.Equal(got, want) {
		t.Errorf("interfaces = %q, want %q", got, want)
	}
}

// TestInterfaceEndpointLabBadInput: each mistake is an error at its line.
func TestInterfaceEndpointLabBadInput(t *testing.T) {
	for _, tc := range []struct {
		name, lab string
		line      int
		want      string
	}{
		{"route tables on an interface endpoint", strings.Replace(interfaceLab, "    subnets: [app-a, app-b]", "    subnets: [app-a, app-b]\n    route_tables: [x]", 1),
			12, "VPC endpoint ec2: an interface endpoint has no route_tables"},
		{"no subnets", strings.Replace(interfaceLab, "    subnets: [app-a, app-b]\n", "", 1),
			8, "VPC endpoint ec2: an interface endpoint needs subnets"},
		{"address for a subnet it is not in", strings.Replace(interfaceLab, "{app-a: 10.0.1.50}", "{app-c: 10.0.1.50}", 1),
			13, `private_ips: "app-c" is not one of the endpoint's subnets`},
		{"bad port", strings.Replace(interfaceLab, "    service: ec2\n", "    service: ec2\n    ports: [0]\n", 1),
			11, "ports: bad number \"0\""},
		{"unknown type", strings.Replace(interfaceLab, "type: interface", "type: interfase", 1),
			9, `bad value "interfase"`},
	} {
		t.Run(tc.name, func(t *testing.T) { wantLabError(t, tc.lab, tc.line, tc.want) })
	}
}
