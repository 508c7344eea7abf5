// Package engine is vpclab's dataplane: it decides what the AWS VPC network does with one
// packet at a time. Every frontend (simulated ping and traceroute, trace, analysis, the live
// dataplane) drives this one engine, so simulation and reality cannot drift apart.
//
// The engine is pure: no I/O, no time.Now, no global randomness. A Network is the compiled,
// immutable form of a model.Topology (Compile); a State holds what changes while packets
// flow (connection tracking, NAT gateway mappings) and carries the injected clock and PRNG
// seed. Send evaluates one packet entering at a Location and returns a Result: every hop with
// the rule or route that decided it and the header before and after, and how the packet ended
// (delivered to an ENI, left through a gateway, or dropped with an explanation code). An ICMP
// error the network itself generates (a NAT gateway's time exceeded) travels on and is
// returned as Result.Generated. A Result from Send is the caller's to keep; SendInto records
// into one the caller reuses, so a caller that is done with each journey before the next
// allocates nothing per hop (record.go says who owns what).
//
// The packet path, written once, in AWS order (§0 of aws-vpc-semantics.md). The fixed stages
// are plain code (eval.go); what varies by kind is a node, compiled once: every route's target
// and every edge a packet crosses is resolved in Compile to a node with one method, receive
// (node.go; one file per kind: local.go, eni.go, natgw.go, igw.go, vgw.go, vpce.go, nfw.go, gwlb.go;
// lb.go for Application and Network Load Balancers, reached at their nodes' interfaces). A target that is
// missing or not modelled compiles to a node that drops with the code naming it.
//
//	entry (Location, looked up like a target): an ENI's instance, the internet, a VGW
//	  │ source/dest check on X (§0.1, §6.2); link MTU (§6.9)
//	  │ security groups of X, egress; stateful (§4)
//	  ▼
//	forward from S ── destination is an ENI of S? ──► deliver at L2: no route table, no NACL (§0.3)
//	  │ NACL of S, outbound (§5)
//	  │ route table of S: longest prefix, AWS tie-breaks (§1.2)
//	  ▼
//	node.receive(arrival) ─┬─ local ──────────► NACL of D inbound ─► ENI in D
//	                       ├─ ENI / instance ─► NACL of its subnet inbound ─► ENI (appliance: forwards again)
//	                       ├─ NAT gateway ────► NACL of M inbound ─► translate (§2.2) ─► TTL-1 ─► forward from M
//	                       ├─ internet gw ────► 1:1 NAT to the public IP, checks (§3), MTU 1500 ─► the internet
//	                       ├─ VPN gateway ────► known prefixes only (§7.3), MTU 1500 ─► on-premises
//	                       ├─ gateway endpoint ► sources of its VPC, TCP and ICMP echo (§7.4) ─► S3/DynamoDB
//	                       ├─ firewall endpoint ► NACL of M inbound ─► stateless, stateful policy (§14, nfw) ─► forward from M
//	                       ├─ GWLB endpoint ──► NACL of M inbound ─► GWLB node of M's AZ ─► target (flow hash, §13.5)
//	                       │                    ─► GENEVE: NACLs, target's SG ─► appliance ─► back ─► forward from M
//	                       └─ dropNode ───────► blackhole, missing or unmodelled target: drop with its code
//
//	ENI arrival: an interface that carries no traffic (its instance not running, or an AWS
//	service's interface vpclab does not model) drops; source/dest check (destination must be
//	one of its IPs unless disabled), security groups ingress (conntrack replies pass), then
//	delivered to the instance, or forwarded by an appliance (TTL-1; a stateful appliance only
//	forwards flows it saw start, §13.13), out of the same ENI.
//
// How a packet arrived is a value, not a flag: an arrival carries its origin (inside, the
// internet, a VPN, Direct Connect; peering, transit gateways and GWLBs join with their kinds),
// the subnet it is forwarded from, its Availability Zone and its source before a NAT gateway.
// Packets from outside enter a VPC in one stage, enterVPC: the gateway's edge route table when
// one is associated (§1.3), else the local route.
//
// Hops are typed (Kind, Action, Direction); the node that forwards or translates marks its hop
// (Middlebox, Edge, Translated), and the engine says where a journey ends with its blocks
// lifted (Result.End) and what a path is named by (Result.Via), so frontends read no strings
// back. The compiled security group and network ACL rule sets answer header-space questions
// (Network.RuleSpans, Network.AdmitsPorts) with the same matching the engine decides with.
//
// Defaults taken where the specification is [UNCERTAIN] are listed in DEFAULTS.md at the
// repository root.
package engine
