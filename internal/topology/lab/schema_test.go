package lab

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

const schemaPath = "../../../schema/lab.schema.json"

// schemaNode is the part of a JSON Schema the drift tests read.
type schemaNode struct {
	Properties map[string]json.RawMessage `json:"properties"`
	OneOf      []schemaNode               `json:"oneOf"`
}

func readSchema(t *testing.T) (top schemaNode, defs map[string]schemaNode, raw []byte) {
	t.Helper()
	raw, err := os.ReadFile(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		schemaNode
		Schema string                `json:"$schema"`
		Defs   map[string]schemaNode `json:"$defs"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("%s: %v", schemaPath, err)
	}
	if doc.Schema != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("$schema = %q, want draft 2020-12", doc.Schema)
	}
	return doc.schemaNode, doc.Defs, raw
}

// keysOf is the property names of an object schema, or of the object branch of a oneOf.
func keysOf(n schemaNode) []string {
	props := n.Properties
	for _, alt := range n.OneOf {
		if alt.Properties != nil {
			props = alt.Properties
		}
	}
	var ks []string
	for k := range props {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func sameKeys(t *testing.T, where string, loader, schema []string) {
	t.Helper()
	l := slices.Sorted(slices.Values(loader))
	for _, k := range l {
		if !slices.Contains(schema, k) {
			t.Errorf("%s: the loader accepts %q but the schema does not list it", where, k)
		}
	}
	for _, k := range schema {
		if !slices.Contains(l, k) {
			t.Errorf("%s: the schema lists %q but the loader does not accept it", where, k)
		}
	}
}

// TestSchemaMatchesLoader: the keys the loader accepts, at the top and in every object, are
// exactly the properties schema/lab.schema.json lists, so the two cannot drift apart.
func TestSchemaMatchesLoader(t *testing.T) {
	top, defs, raw := readSchema(t)
	sameKeys(t, "top level", topLevelKeys, keysOf(top))
	nested := map[string][]string{
		"vpc": vpcKeys, "vpcEntry": vpcsKeys, "internetGateway": internetGatewayKey, "subnet": subnetKeys,
		"routeTable": routeTableKeys, "mainRouteTable": mainRouteTableKeys, "routeTarget": routeKeys,
		"natGateway": natGatewayKeys, "elasticIP": elasticIPKeys, "prefixList": prefixListKeys,
		"securityGroup": securityGroupKeys, "sgRule": sgRuleKeys, "networkACL": networkACLKeys, "naclRule": naclRuleKeys,
		"instance": instanceKeys, "interface": interfaceKeys, "vpnGateway": vpnGatewayKeys,
		"vpnConnection": vpnConnectionKeys, "onPremises": onPremisesKeys, "host": hostKeys,
		"peering": peeringKeys, "transitGateway": transitGatewayKeys, "tgwRouteTable": tgwRouteTableKeys,
		"tgwAttachment": tgwAttachmentKeys, "tgwVPNConnection": tgwVPNConnectionKeys,
		"dxGateway": dxGatewayKeys, "dxAssociation": dxAssociationKeys, "virtualInterface": virtualInterfaceKeys,
		"vpcEndpoint": vpcEndpointKeys, "firewall": firewallKeys, "firewallPolicy": firewallPolicyKeys,
		"ruleGroup": ruleGroupKeys, "statelessRule": statelessRuleKeys,
		"gatewayLoadBalancer": gwlbKeys, "gwlbTarget": gwlbTargetKeys,
		"loadBalancer": lbKeys, "lbListener": listenerKeys, "lbTargetGroup": lbGroupKeys, "lbTarget": lbTargetKeys,
	}
	for name, keys := range nested {
		def, ok := defs[name]
		if !ok {
			t.Errorf("schema has no $defs/%s", name)
			continue
		}
		sameKeys(t, "$defs/"+name, keys, keysOf(def))
	}
	for _, m := range regexp.MustCompile(`"\$ref": "#/\$defs/([A-Za-z]+)"`).FindAllStringSubmatch(string(raw), -1) {
		if _, ok := defs[m[1]]; !ok {
			t.Errorf("$ref to missing $defs/%s", m[1])
		}
	}
}

// TestExamplesNameTheSchema: every example lab starts with the yaml-language-server comment,
// so editors complete and check it.
func TestExamplesNameTheSchema(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(examples, "*", "lab*.yaml"))
	if len(files) < 3 {
		t.Fatalf("found %d example labs", len(files))
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		first, _, _ := strings.Cut(string(data), "\n")
		if first != "# yaml-language-server: $schema=../../schema/lab.schema.json" {
			t.Errorf("%s: first line = %q", f, first)
		}
		if _, ps := Load(f); len(ps) > 0 {
			t.Errorf("%s:\n%v", f, ps)
		}
	}
}
