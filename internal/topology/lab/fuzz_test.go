package lab

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse: any input gives a topology and problems, never a panic, and every problem
// names the file. Seeds are the example labs plus fragments that exercise each section.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(examples, "*", "lab*.yaml"))
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	for _, s := range []string{
		"",
		"vpc: {cidr: 10.0.0.0/16}",
		"vpcs: {a: {cidrs: [10.0.0.0/16]}, b: {cidr: 10.1.0.0/16, internet_gateway: true}}\nsubnets: {s: {vpc: a, cidr: 10.0.0.0/24}}",
		"vpc: {cidr: 10.0.0.0/16}\nsubnets: {a: {cidr: 10.0.0.0/28}}\ninstances: {x: {subnet: a, interfaces: [{subnet: a}]}}",
		"vpc: {cidr: 10.0.0.0/16}\nroute_tables: {r: {routes: {0.0.0.0/0: blackhole:nat:x, pl-12345678: {target: vpce-12345678}}}}",
		"vpc: {cidr: 10.0.0.0/16}\nmain_route_table: {routes: {10.0.0.0/16: local}}",
		"vpc: {cidr: 10.0.0.0/16}\nsecurity_groups: {w: {ingress: [{protocol: icmp, icmp_type: 3, icmp_code: 4, group: default}], egress: []}}",
		"vpc: {cidr: 10.0.0.0/16}\nnetwork_acls: {n: {default: true, ingress: [{rule: 32767, action: deny, protocol: -1, cidr: 0.0.0.0/0}]}}",
		"vpc: {cidr: 10.0.0.0/16}\nvpn_gateways: {g: {vpn_connections: {c: {static_routes: 192.168.0.0/16}}}}\non_premises: {o: {cidr: 192.168.0.0/16, hosts: {h: {ip: 192.168.0.1, initial_ttl: 64}}}}",
		"vpc: {cidr: 10.0.0.0/16}\nelastic_ips: {e: 203.0.113.1}\nprefix_lists: {p: [1.0.0.0/8]}\ninternet_hosts: {w: 198.51.100.1}",
		"a: &x [*x]\n",
		"vpc: &v {cidr: 10.0.0.0/16}\nvpcs: *v\n",
		"- [}\n",
		"vpc: {cidr: 10.0.0.0/16}\n---\nx: 1\n",
		"region: us-east-1\naccount: 111111111111\nvpcs: {a: {cidr: 10.0.0.0/16}, b: {cidr: 10.1.0.0/16, region: eu-west-1}}\npeerings: {p: {requester: a, accepter: b, status: deleted}}\nroute_tables: {r: {vpc: a, routes: {10.1.0.0/16: pcx:p, 10.2.0.0/16: blackhole:tgw:x}}}",
		"vpc: {cidr: 10.0.0.0/16}\nsubnets: {s: {cidr: 10.0.0.0/24, az: a}}\ntransit_gateways: {h: {route_tables: {t: {default: true, routes: {0.0.0.0/0: v, 1.0.0.0/8: blackhole}}}, attachments: {v: {vpc: vpc, subnets: [s], propagations: []}, p: {peering: g}}, vpn_connections: {c: }}, g: {}}",
		"vpc: {cidr: 10.0.0.0/16}\nvpn_gateways: {g: {}}\ndx_gateways: {d: {associations: {g: , tgw:h: {allowed_prefixes: 10.0.0.0/8}}, virtual_interfaces: {v: {type: transit, mtu: 8500}}}}\ntransit_gateways: {h: }\non_premises: {o: {virtual_interface: v, cidr: 192.168.0.0/16}}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		top, ps := Parse("fuzz.yaml", data)
		if top == nil {
			t.Fatal("nil topology")
		}
		for _, p := range ps {
			if p.Src.File != "fuzz.yaml" && p.Src.File != "" {
				t.Errorf("problem names file %q: %v", p.Src.File, p)
			}
		}
	})
}
