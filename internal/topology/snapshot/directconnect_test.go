package snapshot

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vpclab/vpclab/internal/model"
)

// dxFiles are the Direct Connect answers of one account in the AWS CLI's lowerCamelCase
// (§16.10): a gateway, a transit gateway association, an older-style VGW association, a
// transit virtual interface on the gateway and a private one attached only by the
// attachments answer.
var dxFiles = map[string]string{
	"dxgw.json": `{"directConnectGateways": [{"directConnectGatewayId": "5f294f92-bafb-4011-916d-9b0bec736ea7",
		"directConnectGatewayName": "dc-east", "amazonSideAsn": 64512, "ownerAccount": "111111111111",
		"directConnectGatewayState": "available"}]}`,
	"assoc.json": `{"directConnectGatewayAssociations": [
		{"associationId": "c8b7c9e1-aaaa-bbbb-cccc-222222222222", "directConnectGatewayId": "5f294f92-bafb-4011-916d-9b0bec736ea7",
		 "associationState": "associated",
		 "associatedGateway": {"id": "tgw-1", "type": "transitGateway", "ownerAccount": "111111111111", "region": "us-east-1"},
		 "allowedPrefixesToDirectConnectGateway": [{"cidr": "10.0.0.0/8"}, {"cidr": "2600:1f18::/40"}]},
		{"directConnectGatewayId": "5f294f92-bafb-4011-916d-9b0bec736ea7", "associationState": "associated",
		 "virtualGatewayId": "vgw-1", "virtualGatewayRegion": "eu-west-1", "virtualGatewayOwnerAccount": "222222222222",
		 "allowedPrefixesToDirectConnectGateway": [{"cidr": "172.16.0.0/16"}, {"cidr": "bad"}]}]}`,
	"vifs.json": `{"virtualInterfaces": [{"virtualInterfaceId": "dxvif-1", "virtualInterfaceName": "transit-1",
		"virtualInterfaceType": "transit", "mtu": 8500, "asn": 65000, "virtualInterfaceState": "available",
		"directConnectGatewayId": "5f294f92-bafb-4011-916d-9b0bec736ea7", "region": "us-east-1", "ownerAccount": "111111111111"},
		{"virtualInterfaceId": "dxvif-3", "virtualInterfaceType": "public", "virtualInterfaceState": "available"}]}`,
	"attach.json": `{"directConnectGatewayAttachments": [
		{"directConnectGatewayId": "5f294f92-bafb-4011-916d-9b0bec736ea7", "virtualInterfaceId": "dxvif-1",
		 "virtualInterfaceRegion": "us-east-1", "virtualInterfaceOwnerAccount": "111111111111", "attachmentState": "attached",
		 "attachmentType": "TransitVirtualInterface"},
		{"directConnectGatewayId": "5f294f92-bafb-4011-916d-9b0bec736ea7", "virtualInterfaceId": "dxvif-2",
		 "virtualInterfaceRegion": "eu-west-1", "virtualInterfaceOwnerAccount": "222222222222", "attachmentState": "attached",
		 "attachmentType": "PrivateVirtualInterface"},
		{"directConnectGatewayId": "5f294f92-bafb-4011-916d-9b0bec736ea7", "virtualInterfaceId": "dxvif-4",
		 "attachmentState": "detaching", "attachmentType": "PrivateVirtualInterface"}]}`,
}

// pascal turns the lowerCamelCase keys of dxFiles into Batfish's PascalCase.
func pascal(s string) string {
	for _, k := range []string{"directConnectGateway", "directConnectGatewayAssociations", "directConnectGatewayAttachments",
		"virtualInterface", "associationId", "associationState", "associatedGateway", "allowedPrefixesToDirectConnectGateway",
		"amazonSideAsn", "ownerAccount", "virtualGateway", "attachmentState", "attachmentType", "mtu", "asn", "region",
		"\"id\"", "\"type\"", "\"cidr\""} {
		k = strings.Trim(k, `"`)
		s = strings.ReplaceAll(s, `"`+k, `"`+strings.ToUpper(k[:1])+k[1:])
	}
	return s
}

func TestDirectConnect(t *testing.T) {
	const gw = model.DXGatewayID("5f294f92-bafb-4011-916d-9b0bec736ea7")
	for _, c := range []struct {
		name  string
		case_ func(string) string
		key   func(string) string // how the answer spells a key
	}{
		{"lowerCamelCase", func(s string) string { return s }, func(s string) string { return s }},
		{"PascalCase", pascal, func(s string) string { return strings.ToUpper(s[:1]) + s[1:] }},
	} {
		t.Run(c.name, func(t *testing.T) {
			files := map[string]string{}
			for name, content := range dxFiles {
				files[name] = c.case_(content)
			}
			if c.name == "PascalCase" && !strings.Contains(files["dxgw.json"], `"DirectConnectGateways"`) {
				t.Fatalf("PascalCase conversion failed: %s", files["dxgw.json"])
			}
			top, ps := Load(writeFiles(t, files))
			wantGW := []*model.DXGateway{{ID: gw, Name: "dc-east", ASN: 64512, Account: "111111111111", State: "available",
				Src: model.Source{File: "dxgw.json", Path: c.key("directConnectGateways") + "[0]"}}}
			if d := cmp.Diff(wantGW, top.DXGateways); d != "" {
				t.Errorf("gateways (-want +got):\n%s", d)
			}
			if len(top.DXGatewayAssociations) != 2 {
				t.Fatalf("associations = %+v", top.DXGatewayAssociations)
			}
			tgwA, vgwA := top.DXGatewayAssociations[0], top.DXGatewayAssociations[1]
			if tgwA.ID != "c8b7c9e1-aaaa-bbbb-cccc-222222222222" || tgwA.DXGateway != gw || tgwA.Gateway != "tgw-1" ||
				tgwA.GatewayType != model.DXAssocTGW || tgwA.Account != "111111111111" || tgwA.Region != "us-east-1" ||
				tgwA.State != "associated" || len(tgwA.AllowedPrefixes) != 2 || tgwA.AllowedPrefixes[1].String() != "2600:1f18::/40" {
				t.Errorf("TGW association = %+v", tgwA)
			}
			// The older shape: virtualGateway* fields, no associationId, no type.
			if vgwA.ID != model.DXGatewayAssociationID(string(gw)+"/vgw-1") || vgwA.Gateway != "vgw-1" || vgwA.GatewayType != model.DXAssocVGW ||
				vgwA.Account != "222222222222" || vgwA.Region != "eu-west-1" || len(vgwA.AllowedPrefixes) != 1 {
				t.Errorf("VGW association = %+v", vgwA)
			}
			vifs := map[model.VirtualInterfaceID]*model.VirtualInterface{}
			for _, v := range top.VirtualInterfaces {
				vifs[v.ID] = v
			}
			if len(vifs) != 3 {
				t.Fatalf("virtual interfaces = %+v, want dxvif-1, -2 and -3 (not the detaching -4)", top.VirtualInterfaces)
			}
			if v := vifs["dxvif-1"]; v.Type != "transit" || v.MTU != 8500 || v.ASN != 65000 || v.State != "available" ||
				v.DXGateway != gw || v.Region != "us-east-1" || v.Account != "111111111111" || v.Name != "transit-1" ||
				v.Src != (model.Source{File: "vifs.json", Path: c.key("virtualInterfaces") + "[0]"}) {
				t.Errorf("dxvif-1 = %+v", v)
			}
			if v := vifs["dxvif-2"]; v.Type != "private" || v.DXGateway != gw || v.Region != "eu-west-1" || v.Account != "222222222222" ||
				v.Src.File != "attach.json" {
				t.Errorf("dxvif-2 (from the attachment) = %+v", v)
			}
			if v := vifs["dxvif-3"]; v.DXGateway != "" || v.Type != "public" {
				t.Errorf("dxvif-3 = %+v", v)
			}
			wantProblem(t, ps, model.Error, "assoc.json: "+c.key("directConnectGatewayAssociations")+"[1]."+
				c.key("allowedPrefixesToDirectConnectGateway")+"[1]."+c.key("cidr"), `"bad"`)
			wantProblem(t, ps, model.Warning, "vifs.json: "+c.key("virtualInterfaces")+"[1]."+c.key("virtualInterfaceType"), "dxvif-3 is public")
			if len(ps) != 2 {
				t.Errorf("got %d problems, want 2:\n%v", len(ps), ps)
			}
		})
	}
}

// A garbled Direct Connect answer names its file and line and column, or the JSON path of a
// mistyped value; the other files still load.
func TestGarbledDirectConnectAnswers(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"dx.json":  "{\"directConnectGateways\": [\n  {\"directConnectGatewayId\": \"x\",, }\n]}",
		"vif.json": `{"virtualInterfaces": [{"virtualInterfaceId": "dxvif-1", "mtu": "jumbo", "virtualInterfaceType": "transit"}]}`,
	})
	top, ps := Load(dir)
	wantProblem(t, ps, model.Error, "dx.json:2:34", "invalid character ','")
	wantProblem(t, ps, model.Error, "vif.json: virtualInterfaces[0].mtu", "expected integer, got string")
	if len(ps) != 2 {
		t.Errorf("got %d problems, want 2:\n%v", len(ps), ps)
	}
	if len(top.DXGateways) != 0 || len(top.VirtualInterfaces) != 1 || top.VirtualInterfaces[0].Type != "transit" {
		t.Errorf("DX gateways %+v, virtual interfaces %+v; want none from the broken file, dxvif-1 kept", top.DXGateways, top.VirtualInterfaces)
	}
}
