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
