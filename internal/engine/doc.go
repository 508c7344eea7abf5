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
// returned as Result.ICMP.
//
// The packet path, written once, in AWS order (§0 of aws-vpc-semantics.md):
//
//	instance ENI X in subnet S
//	  │ source/dest check on X (§0.1, §6.2)
//	  │ security groups of X, egress; stateful (§4)
//	  ▼
//	forward from S ── destination is an ENI of S? ──► deliver at L2: no route table, no NACL (§0.3)
//	  │ NACL of S, outbound (§5)
//	  │ route table of S: longest prefix, AWS tie-breaks (§1.2)
//	  ▼
//	target ─┬─ local ───────────► NACL of D inbound ─► ENI in D
//	        ├─ ENI / instance ──► NACL of its subnet inbound ─► ENI (appliance: forwards again)
//	        ├─ NAT gateway ─────► NACL of M inbound ─► translate (§2.2) ─► TTL-1 ─► forward from M
//	        ├─ internet gateway ► 1:1 NAT to the public IP, checks (§3) ─► the internet
//	        ├─ VPN gateway ─────► known prefixes only (§7.3) ─► on-premises
//	        └─ blackhole, no route, unmodelled target ─► drop with an explanation code
//
//	ENI arrival: source/dest check (destination must be one of its IPs unless disabled),
//	security groups ingress (conntrack replies pass), then delivered to the instance, or
//	forwarded by an appliance (TTL-1, then out of the same ENI).
//
// Packets from outside enter at an internet gateway (destination public IP mapped 1:1 to a
// private IP, §3.4) or at a VPN gateway (§7.3.3) and are delivered with the local route.
//
// Defaults taken where the specification is [UNCERTAIN] are listed in DEFAULTS.md at the
// repository root.
package engine
