// Command gen writes internal/ec2api's generated files from the official EC2 model
// (api-2.json of github.com/aws/aws-sdk-go at the version pinned in modelModule), so that the
// shapes vpclab serve decodes and encodes are AWS's own, not retyped by hand (issue 11), and
// the filter names each Describe operation accepts from the model's docs-2.json beside it.
//
// It finds the model in the Go module cache (`go env GOMODCACHE`), downloading the module
// with `go mod download` when it is absent; the SDK is never a dependency of the server.
// Output is deterministic: shapes and operations are written in sorted order.
//
// Usage (from internal/ec2api, through go generate): go run ./internal/gen -out .
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"go/format"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// modelModule pins the model version; changing it is a deliberate, reviewed regeneration.
const modelModule = "github.com/aws/aws-sdk-go@v1.55.8"

// modelFile is the EC2 model's path inside modelModule.
const modelFile = "models/apis/ec2/2016-11-15/api-2.json"

// implemented are the operations whose input and output shapes are generated. Adding an
// operation is one line here and a `go generate ./internal/ec2api`.
var implemented = []string{
	"AcceptVpcPeeringConnection",
	"AllocateAddress",
	"AssociateAddress",
	"AssociateDhcpOptions",
	"AssociateRouteTable",
	"AssociateSubnetCidrBlock",
	"AssociateTransitGatewayRouteTable",
	"AssociateVpcCidrBlock",
	"AttachInternetGateway",
	"AttachNetworkInterface",
	"AttachVpnGateway",
	"AuthorizeSecurityGroupEgress",
	"AuthorizeSecurityGroupIngress",
	"CreateCustomerGateway",
	"CreateDhcpOptions",
	"CreateEgressOnlyInternetGateway",
	"CreateInternetGateway",
	"CreateManagedPrefixList",
	"CreateNatGateway",
	"CreateNetworkAcl",
	"CreateNetworkAclEntry",
	"CreateNetworkInsightsAccessScope",
	"CreateNetworkInsightsPath",
	"CreateNetworkInterface",
	"CreateRoute",
	"CreateRouteTable",
	"CreateSecurityGroup",
	"CreateSubnet",
	"CreateTags",
	"CreateTransitGateway",
	"CreateTransitGatewayRoute",
	"CreateTransitGatewayRouteTable",
	"CreateTransitGatewayVpcAttachment",
	"CreateVpc",
	"CreateVpcEndpoint",
	"CreateVpcPeeringConnection",
	"CreateVpnConnection",
	"CreateVpnConnectionRoute",
	"CreateVpnGateway",
	"DeleteCustomerGateway",
	"DeleteDhcpOptions",
	"DeleteEgressOnlyInternetGateway",
	"DeleteInternetGateway",
	"DeleteManagedPrefixList",
	"DeleteNatGateway",
	"DeleteNetworkAcl",
	"DeleteNetworkAclEntry",
	"DeleteNetworkInsightsAccessScope",
	"DeleteNetworkInsightsAccessScopeAnalysis",
	"DeleteNetworkInsightsAnalysis",
	"DeleteNetworkInsightsPath",
	"DeleteNetworkInterface",
	"DeleteRoute",
	"DeleteRouteTable",
	"DeleteSecurityGroup",
	"DeleteSubnet",
	"DeleteTags",
	"DeleteTransitGateway",
	"DeleteTransitGatewayRoute",
	"DeleteTransitGatewayRouteTable",
	"DeleteTransitGatewayVpcAttachment",
	"DeleteVpc",
	"DeleteVpcEndpoints",
	"DeleteVpcPeeringConnection",
	"DeleteVpnConnection",
	"DeleteVpnConnectionRoute",
	"DeleteVpnGateway",
	"DescribeAccountAttributes",
	"DescribeAddresses",
	"DescribeAddressesAttribute",
	"DescribeAvailabilityZones",
	"DescribeCustomerGateways",
	"DescribeDhcpOptions",
	"DescribeEgressOnlyInternetGateways",
	"DescribeImages",
	"DescribeInstanceAttribute",
	"DescribeInstanceCreditSpecifications",
	"DescribeInstanceStatus",
	"DescribeInstanceTypes",
	"DescribeInstances",
	"DescribeInternetGateways",
	"DescribeKeyPairs",
	"DescribeManagedPrefixLists",
	"DescribeNatGateways",
	"DescribeNetworkAcls",
	"DescribeNetworkInsightsAccessScopeAnalyses",
	"DescribeNetworkInsightsAccessScopes",
	"DescribeNetworkInsightsAnalyses",
	"DescribeNetworkInsightsPaths",
	"DescribeNetworkInterfaceAttribute",
	"DescribeNetworkInterfaces",
	"DescribePrefixLists",
	"DescribeRegions",
	"DescribeRouteTables",
	"DescribeSecurityGroupRules",
	"DescribeSecurityGroups",
	"DescribeSubnets",
	"DescribeTags",
	"DescribeTransitGatewayAttachments",
	"DescribeTransitGatewayRouteTables",
	"DescribeTransitGatewayVpcAttachments",
	"DescribeTransitGateways",
	"DescribeVolumes",
	"DescribeVpcAttribute",
	"DescribeVpcEndpointServices",
	"DescribeVpcEndpoints",
	"DescribeVpcPeeringConnections",
	"DescribeVpcs",
	"DescribeVpnConnections",
	"DescribeVpnGateways",
	"DetachInternetGateway",
	"DetachNetworkInterface",
	"DetachVpnGateway",
	"DisableTransitGatewayRouteTablePropagation",
	"DisableVgwRoutePropagation",
	"DisassociateAddress",
	"DisassociateRouteTable",
	"DisassociateSubnetCidrBlock",
	"DisassociateTransitGatewayRouteTable",
	"DisassociateVpcCidrBlock",
	"EnableTransitGatewayRouteTablePropagation",
	"EnableVgwRoutePropagation",
	"GetManagedPrefixListEntries",
	"GetNetworkInsightsAccessScopeAnalysisFindings",
	"GetNetworkInsightsAccessScopeContent",
	"GetTransitGatewayRouteTableAssociations",
	"GetTransitGatewayRouteTablePropagations",
	"ModifyInstanceAttribute",
	"ModifyManagedPrefixList",
	"ModifyNetworkInterfaceAttribute",
	"ModifySecurityGroupRules",
	"ModifySubnetAttribute",
	"ModifyTransitGatewayVpcAttachment",
	"ModifyVpcAttribute",
	"ModifyVpcEndpoint",
	"ModifyVpcPeeringConnectionOptions",
	"ReleaseAddress",
	"ReplaceNetworkAclAssociation",
	"ReplaceNetworkAclEntry",
	"ReplaceRoute",
	"ReplaceRouteTableAssociation",
	"RevokeSecurityGroupEgress",
	"RevokeSecurityGroupIngress",
	"RunInstances",
	"SearchTransitGatewayRoutes",
	"StartInstances",
	"StartNetworkInsightsAccessScopeAnalysis",
	"StartNetworkInsightsAnalysis",
	"StopInstances",
	"TerminateInstances",
}

type ref struct {
	Shape        string `json:"shape"`
	LocationName string `json:"locationName"`
	QueryName    string `json:"queryName"`
}

type shape struct {
	Type     string         `json:"type"`
	Members  map[string]ref `json:"members"`
	Required []string       `json:"required"`
	Member   *ref           `json:"member"`
	Enum     []string       `json:"enum"`
}

type operation struct {
	Name   string `json:"name"`
	Input  *ref   `json:"input"`
	Output *ref   `json:"output"`
}

type api struct {
	Metadata   map[string]any       `json:"metadata"`
	Operations map[string]operation `json:"operations"`
	Shapes     map[string]shape     `json:"shapes"`
}

func main() {
	out := flag.String("out", ".", "directory to write the generated files into")
	model := flag.String("model", "", "path of api-2.json (default: found in the module cache)")
	flag.Parse()
	if err := run(*out, *model); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(out, model string) error {
	if model == "" {
		var err error
		if model, err = findModel(); err != nil {
			return err
		}
	}
	raw, err := os.ReadFile(model)
	if err != nil {
		return err
	}
	var a api
	if err := json.Unmarshal(raw, &a); err != nil {
		return fmt.Errorf("%s: %w", model, err)
	}
	files := map[string][]byte{
		"operations_gen.go": genOperations(&a),
	}
	shapes, err := genShapes(&a)
	if err != nil {
		return err
	}
	files["shapes_gen.go"] = shapes
	if files["filters_gen.go"], err = genFilters(&a, model); err != nil {
		return err
	}
	for name, src := range files {
		formatted, err := format.Source(src)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := os.WriteFile(filepath.Join(out, name), formatted, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// findModel locates api-2.json in the module cache, downloading the pinned module if needed.
func findModel() (string, error) {
	cache, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err == nil {
		p := filepath.Join(strings.TrimSpace(string(cache)), filepath.FromSlash(modelModule), filepath.FromSlash(modelFile))
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	js, err := exec.Command("go", "mod", "download", "-json", modelModule).Output()
	if err != nil {
		return "", fmt.Errorf("go mod download %s: %w", modelModule, err)
	}
	var d struct{ Dir string }
	if err := json.Unmarshal(js, &d); err != nil || d.Dir == "" {
		return "", fmt.Errorf("go mod download %s: no Dir in %q", modelModule, js)
	}
	return filepath.Join(d.Dir, filepath.FromSlash(modelFile)), nil
}

const header = "// Code generated by internal/ec2api/internal/gen from " + modelModule + " " + modelFile + "; DO NOT EDIT.\n\npackage ec2api\n\n"

// genOperations writes the table of every operation name in the model.
func genOperations(a *api) []byte {
	var b bytes.Buffer
	b.WriteString(header)
	names := sortedKeys(a.Operations)
	fmt.Fprintf(&b, "// operationNames are all %d operations of the EC2 model, sorted.\nvar operationNames = [...]string{\n", len(names))
	for _, n := range names {
		fmt.Fprintf(&b, "\t%q,\n", n)
	}
	b.WriteString("}\n")
	return b.Bytes()
}

// genShapes writes a struct for every structure reachable from the implemented operations,
// and the table that makes an operation's input and output values.
func genShapes(a *api) ([]byte, error) {
	reach := map[string]bool{}
	var walk func(name string) error
	walk = func(name string) error {
		if reach[name] {
			return nil
		}
		s, ok := a.Shapes[name]
		if !ok {
			return fmt.Errorf("shape %s not in model", name)
		}
		switch s.Type {
		case "structure":
			reach[name] = true
			for _, m := range sortedKeys(s.Members) {
				if err := walk(s.Members[m].Shape); err != nil {
					return err
				}
			}
		case "list":
			return walk(s.Member.Shape)
		case "map":
			return fmt.Errorf("shape %s: maps are not in the ec2 protocol's codec yet", name)
		}
		return nil
	}
	var b bytes.Buffer
	b.WriteString(header)
	b.WriteString("import \"time\"\n\nvar _ time.Time // timestamps need not occur in every generated set\n\n")
	b.WriteString("// operations makes the input and output values of the implemented operations.\nvar operations = map[string]operationShapes{\n")
	for _, op := range implemented {
		o, ok := a.Operations[op]
		if !ok {
			return nil, fmt.Errorf("operation %s not in model", op)
		}
		in, out := "struct{}", "struct{}"
		if o.Input != nil {
			in = o.Input.Shape
			if err := walk(in); err != nil {
				return nil, err
			}
		}
		if o.Output != nil {
			out = o.Output.Shape
			if err := walk(out); err != nil {
				return nil, err
			}
		}
		fmt.Fprintf(&b, "\t%q: {func() any { return new(%s) }, func() any { return new(%s) }},\n", op, in, out)
	}
	b.WriteString("}\n\n")
	for _, name := range sortedKeys(reach) {
		s := a.Shapes[name]
		fmt.Fprintf(&b, "// %s is the model's shape %s.\ntype %s struct {\n", name, name, name)
		for _, m := range sortedKeys(s.Members) {
			r := s.Members[m]
			typ, item, err := fieldType(a, r.Shape, true)
			if err != nil {
				return nil, fmt.Errorf("%s.%s: %w", name, m, err)
			}
			tag := "q=" + queryName(m, r) + ",x=" + xmlName(m, r)
			if item != "" {
				tag += ",i=" + item
			}
			if slices.Contains(s.Required, m) {
				tag += ",req"
			}
			fmt.Fprintf(&b, "\t%s %s `ec2:%q json:\",omitzero\"`\n", m, typ, tag)
		}
		b.WriteString("}\n\n")
	}
	return b.Bytes(), nil
}

// fieldType is the Go type of a member of shape name: scalars and structures are pointers
// in a field (nil is unset) and values in a list. item is a list's XML item element name.
func fieldType(a *api, name string, field bool) (typ, item string, err error) {
	s := a.Shapes[name]
	ptr := ""
	if field {
		ptr = "*"
	}
	switch s.Type {
	case "structure":
		return ptr + name, "", nil
	case "list":
		elem, _, err := fieldType(a, s.Member.Shape, false)
		if err != nil {
			return "", "", err
		}
		item = s.Member.LocationName
		if item == "" {
			item = "member"
		}
		return "[]" + elem, item, nil
	case "string":
		return ptr + "string", "", nil
	case "boolean":
		return ptr + "bool", "", nil
	case "integer":
		return ptr + "int32", "", nil
	case "long":
		return ptr + "int64", "", nil
	case "float", "double":
		return ptr + "float64", "", nil
	case "timestamp":
		return ptr + "time.Time", "", nil
	case "blob":
		return "[]byte", "", nil
	}
	return "", "", fmt.Errorf("shape %s: type %q not supported", name, s.Type)
}

// queryName is the member's request parameter name under the ec2 protocol: queryName, else
// locationName with its first letter capitalised, else the member name (as botocore does).
func queryName(member string, r ref) string {
	switch {
	case r.QueryName != "":
		return r.QueryName
	case r.LocationName != "":
		return strings.ToUpper(r.LocationName[:1]) + r.LocationName[1:]
	}
	return member
}

// xmlName is the member's response element name: locationName, else the member name.
func xmlName(member string, r ref) string {
	if r.LocationName != "" {
		return r.LocationName
	}
	return member
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
