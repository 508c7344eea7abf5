package model

import (
	"go/ast"
	"go/constant"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// targetKindConsts type-checks this package's source and returns every constant of type
// TargetKind, by name, wherever it is declared: a constant added without a row fails
// TestTargetKindTable even if nobody remembers the table.
func targetKindConsts(t *testing.T) map[string]TargetKind {
	t.Helper()
	fset := token.NewFileSet()
	names, _ := filepath.Glob("*.go")
	var files []*ast.File
	for _, n := range names {
		if strings.HasSuffix(n, "_test.go") {
			continue
		}
		src, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, n, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	conf := types.Config{Importer: importer.ForCompiler(fset, "source", nil)}
	pkg, err := conf.Check("model", fset, files, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]TargetKind{}
	for _, name := range pkg.Scope().Names() {
		c, ok := pkg.Scope().Lookup(name).(*types.Const)
		if !ok || c.Type().String() != "model.TargetKind" {
			continue
		}
		v, exact := constant.Int64Val(c.Val())
		if !exact {
			t.Fatalf("%s = %v", name, c.Val())
		}
		out[name] = TargetKind(v)
	}
	if len(out) == 0 {
		t.Fatal("found no TargetKind constants")
	}
	return out
}

// The members of describe-route-tables' Route and of AnalysisRouteTableRoute that name a
// target, from the EC2 API model (botocore botocore/data/ec2/2016-11-15/service-2.json,
// shapes Route, CreateRouteRequest and AnalysisRouteTableRoute).
var (
	describeTargetMembers = []string{"GatewayId", "InstanceId", "NatGatewayId", "TransitGatewayId", "LocalGatewayId",
		"CarrierGatewayId", "NetworkInterfaceId", "VpcPeeringConnectionId", "EgressOnlyInternetGatewayId",
		"CoreNetworkArn", "OdbNetworkArn",
		"VpcEndpointId"} // CreateRouteRequest only
	analysisTargetMembers = []string{"EgressOnlyInternetGatewayId", "GatewayId", "InstanceId", "NatGatewayId",
		"NetworkInterfaceId", "TransitGatewayId", "VpcPeeringConnectionId", "CarrierGatewayId", "CoreNetworkArn", "LocalGatewayId"}
)

// TestTargetKindTable fails when a TargetKind constant has no row, a row misses a column,
// or a column names something AWS does not have.
func TestTargetKindTable(t *testing.T) {
	consts := targetKindConsts(t)
	rows := TargetKinds()
	if len(rows) != len(consts) {
		t.Errorf("%d rows for %d TargetKind constants %v", len(rows), len(consts), consts)
	}
	for i, r := range rows {
		if r.Kind != TargetKind(i+1) {
			t.Errorf("row %d is for kind %d: a gap or a misplaced row in targetKinds", i+1, r.Kind)
		}
	}
	names, prefixes := map[string]TargetKind{}, map[string]TargetKind{}
	for cname, k := range consts {
		r := k.Info()
		if r.Kind != k {
			t.Errorf("%s (%d) has no row in targetKinds", cname, k)
			continue
		}
		if r.Name == "" || r.Noun == "" || len(r.Fields) == 0 {
			t.Errorf("%s: row misses its name, noun or fields: %+v", cname, r)
		}
		if k.String() != r.Name {
			t.Errorf("%s.String() = %q, want %q", cname, k, r.Name)
		}
		if other, dup := names[r.Name]; dup {
			t.Errorf("%s and %v share the name %q", cname, other, r.Name)
		}
		names[r.Name] = k
		for _, f := range r.Fields {
			switch {
			case f.Describe == "" || f.Analysis == "":
				t.Errorf("%s: field %+v misses its describe-route-tables or analysis member", cname, f)
			case !slices.Contains(describeTargetMembers, f.Describe):
				t.Errorf("%s: %q is not a target member of describe-route-tables' Route", cname, f.Describe)
			case !slices.Contains(analysisTargetMembers, f.Analysis) && !strings.HasPrefix(f.Analysis, "Vpclab"):
				t.Errorf("%s: %q is not a target member of AnalysisRouteTableRoute (nor Vpclab-prefixed)", cname, f.Analysis)
			}
			if f.Prefix == "" {
				if k != TargetOther || f.Describe != "GatewayId" {
					t.Errorf("%s: only TargetOther's GatewayId may take any ID: %+v", cname, f)
				}
				continue
			}
			if other, dup := prefixes[f.Prefix]; dup && other != k {
				t.Errorf("%s and %v share the ID prefix %q", cname, other, f.Prefix)
			}
			prefixes[f.Prefix] = k
			if id := exampleID(f); !f.Matches(id) {
				t.Errorf("%s: field %+v does not match its own example %q", cname, f, id)
			}
		}
		if !slices.ContainsFunc(r.Fields, func(f TargetField) bool { return f.Prefix != "" }) {
			t.Errorf("%s: no ID prefix", cname)
		}
	}
	if _, ok := prefixes["local"]; !ok {
		t.Error(`no row has the whole ID "local"`)
	}
	for p := range prefixes {
		if p != "local" && !strings.HasSuffix(p, "-") && !strings.HasSuffix(p, ":") {
			t.Errorf("prefix %q ends neither in - nor in :", p)
		}
	}
}

// exampleID is an ID written the way f says.
func exampleID(f TargetField) string {
	switch {
	case f.Prefix == "local":
		return "local"
	case strings.HasSuffix(f.Prefix, ":"):
		return f.Prefix + "us-east-1:123456789012:x/0123456789abcdef0"
	}
	return f.Prefix + "0123456789abcdef0"
}

// TestTargetKindFacts pins the columns that are AWS's rules rather than spellings.
func TestTargetKindFacts(t *testing.T) {
	var inVPC, modelled []TargetKind
	for _, r := range TargetKinds() {
		if r.InVPCCIDR {
			inVPC = append(inVPC, r.Kind)
		}
		if r.Modelled {
			modelled = append(modelled, r.Kind)
		}
	}
	// §1.2.5: NAT gateway, appliance ENI (or its instance), GWLB/firewall endpoint.
	if want := []TargetKind{TargetNATGateway, TargetNetworkInterface, TargetInstance, TargetVPCEndpoint}; !slices.Equal(inVPC, want) {
		t.Errorf("in-VPC-CIDR targets = %v, want %v", inVPC, want)
	}
	// The engine's nodes (engine.toTarget).
	if want := []TargetKind{TargetLocal, TargetInternetGateway, TargetNATGateway, TargetNetworkInterface, TargetInstance, TargetVPNGateway, TargetVPCEndpoint, TargetTransitGateway, TargetPeering}; !slices.Equal(modelled, want) {
		t.Errorf("modelled targets = %v, want %v", modelled, want)
	}
	if inVPCCIDRTargets != "NAT gateway, network interface, instance or VPC endpoint" {
		t.Errorf("inVPCCIDRTargets = %q", inVPCCIDRTargets)
	}
}

// TestTargetLookups: every way the table writes a target reads back as its kind, and the
// writers' field is the first that fits.
func TestTargetLookups(t *testing.T) {
	for _, r := range TargetKinds() {
		for _, f := range r.Fields {
			id := exampleID(f)
			if f.Prefix == "" {
				id = "weird-0123456789abcdef0"
			}
			if k, ok := TargetKindOfField(f.Describe, id); !ok || k != r.Kind {
				t.Errorf("TargetKindOfField(%q, %q) = %v, %v; want %v", f.Describe, id, k, ok, r.Kind)
			}
			if w := (Target{Kind: r.Kind, ID: id}).Field(); w.Describe != r.Fields[slices.IndexFunc(r.Fields, func(g TargetField) bool { return g.Matches(id) })].Describe {
				t.Errorf("Target{%v, %q}.Field() = %+v", r.Kind, id, w)
			}
			k, ok := TargetKindOfID(id)
			if f.Prefix == "" {
				if ok {
					t.Errorf("TargetKindOfID(%q) = %v, want no kind", id, k)
				}
			} else if !ok || k != r.Kind {
				t.Errorf("TargetKindOfID(%q) = %v, %v; want %v", id, k, ok, r.Kind)
			}
		}
	}
	for _, c := range []struct {
		field, id string
		want      TargetKind
	}{
		{"GatewayId", "local", TargetLocal},
		{"GatewayId", "vgw-1", TargetVPNGateway},
		{"GatewayId", "vpce-1", TargetVPCEndpoint},
		{"GatewayId", "lgw-1", TargetOther},       // LocalGatewayId's prefix, in the shared member
		{"NatGatewayId", "x-1", TargetNATGateway}, // the member alone decides
		{"VpcEndpointId", "vpce-1", TargetVPCEndpoint},
	} {
		if k, ok := TargetKindOfField(c.field, c.id); !ok || k != c.want {
			t.Errorf("TargetKindOfField(%q, %q) = %v, %v; want %v", c.field, c.id, k, ok, c.want)
		}
	}
	if _, ok := TargetKindOfField("DestinationCidrBlock", "10.0.0.0/8"); ok {
		t.Error("DestinationCidrBlock is not a target member")
	}
	for id, want := range map[string]TargetField{
		"vpce-1": {"vpce-", "GatewayId", "GatewayId"}, // the first of two ways
		"weird":  {"", "GatewayId", "GatewayId"},
		"arn:aws:networkmanager::1:core-network/x": {"arn:aws:networkmanager:", "CoreNetworkArn", "CoreNetworkArn"},
	} {
		kind := TargetOther
		if strings.HasPrefix(id, "vpce-") {
			kind = TargetVPCEndpoint
		}
		if got := (Target{Kind: kind, ID: id}).Field(); got != want {
			t.Errorf("Target{%v, %q}.Field() = %+v, want %+v", kind, id, got, want)
		}
	}
	if got := (Target{}).Field(); got != (TargetField{}) {
		t.Errorf("Target{}.Field() = %+v, want the zero field", got)
	}
	if s := TargetKind(0).String(); s != "TargetKind(0)" {
		t.Errorf("TargetKind(0) = %q", s)
	}
}
