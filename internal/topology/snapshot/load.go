// Package snapshot loads a directory of `aws ec2 describe-*` JSON answers into a
// model.Topology.
//
// Every *.json file below the directory is read, in sorted order, whatever its name or depth.
// A snapshot is one estate however many accounts and regions it spans: a flat directory, and
// the layouts aws_configs/<account>/<region>/*.json and aws_configs/accounts/<account>/<region>/
// *.json, all load into one topology, the folders giving the account and region of what the
// JSON leaves unsaid (where.go). A file is recognised by its top-level keys (Vpcs, Subnets,
// RouteTables, VpcPeeringConnections, TransitGateways, directConnectGateways, ...); each key is
// decoded into a lean type of our own (awsjson.go, awsjson_transit.go) and then mapped onto
// the model. Keys vpclab does not model yet produce warnings. Every object, route, rule and
// entry carries its Source: the file and the JSON path, such as "RouteTables[1].Routes[0]".
//
// Load reports every problem it finds and never stops at the first. It neither applies AWS's
// defaults nor validates: the caller runs model.ApplyDefaults and validation. What a snapshot
// lacks as a whole (whole.go) is reported against its directory. Section numbers (§) refer
// to aws-vpc-semantics.md; the API shapes are in its §9 and §16.10.
package snapshot

import (
	"fmt"
	"io/fs"
	"iter"
	"net/netip"
	"os"
	"path/filepath"
	"strings"

	"github.com/vpclab/vpclab/internal/model"
)

// Load reads a directory of `aws ec2 describe-*` JSON answers and returns the model. dir may
// also name a single JSON file. Problems holds every error and warning found; the topology
// is returned even when there are errors, holding what could be read.
func Load(dir string) (*model.Topology, model.Problems) {
	l := &loader{}
	var files [][2]string // path, name
	var labs []string     // YAML files directly in dir, to suggest when it holds no answer
	info, err := os.Stat(dir)
	switch {
	case err != nil:
		l.probs.Errorf(model.Source{File: dir}, "cannot read snapshot: %v", err)
	case !info.IsDir():
		files = [][2]string{{dir, dir}}
		l.single = true
	default:
		err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				l.probs.Errorf(model.Source{File: relName(dir, path)}, "cannot read: %v", err)
				if d != nil && d.IsDir() && path != dir {
					return fs.SkipDir
				}
				return nil
			}
			switch name := relName(dir, path); {
			case d.IsDir():
			case strings.EqualFold(filepath.Ext(path), ".json"):
				files = append(files, [2]string{path, name})
			case isYAML(path) && !strings.ContainsRune(name, filepath.Separator):
				labs = append(labs, name)
			}
			return nil
		})
		if err != nil {
			l.probs.Errorf(model.Source{File: dir}, "cannot read snapshot: %v", err)
		}
	}
	l.readFiles(files)
	t := l.build()
	l.refuseUnanswered(dir, files, labs)
	l.warnMissingFilters(dir, t)
	return t, l.probs
}

// LoadJSON reads describe-* answers held in memory: one JSON object whose top-level keys
// are those of the answers (Vpcs, Subnets, RouteTables, ...), as a snapshot that is a single
// file. `vpclab serve` exports its state so, and the served lab is loaded by the same code
// as a collected snapshot. name is how messages call the document.
func LoadJSON(name string, data []byte) (*model.Topology, model.Problems) {
	l := &loader{data: data, single: true}
	files := [][2]string{{name, name}}
	l.readFiles(files)
	t := l.build()
	l.refuseUnanswered(name, files, nil)
	return t, l.probs
}

func isYAML(path string) bool {
	ext := filepath.Ext(path)
	return strings.EqualFold(ext, ".yaml") || strings.EqualFold(ext, ".yml")
}

// relName is path relative to dir, for messages.
func relName(dir, path string) string {
	if rel, err := filepath.Rel(dir, path); err == nil {
		return rel
	}
	return path
}

// item is one decoded resource and where it came from.
type item[T any] struct {
	v   T
	src model.Source
}

// list is the items of one kind in order, in the chunks they were decoded in.
type list[T any] struct {
	chunks [][]item[T]
	n      int
}

// add appends a chunk of items; the list keeps it.
func (l *list[T]) add(items []item[T]) {
	if len(items) > 0 {
		l.chunks = append(l.chunks, items)
		l.n += len(items)
	}
}

func (l *list[T]) len() int { return l.n }

// all yields the items in order.
func (l *list[T]) all() iter.Seq[item[T]] {
	return func(yield func(item[T]) bool) {
		for _, c := range l.chunks {
			for _, it := range c {
				if !yield(it) {
					return
				}
			}
		}
	}
}

// loader gathers the decoded resources of every file first and maps them onto the model
// afterwards, kind by kind (build), so that merging across files (an instance's ENIs with
// describe-network-interfaces) does not depend on which file the walk reaches first.
type loader struct {
	data     []byte // the one file's content, when it is in memory (LoadJSON)
	probs    model.Problems
	answered map[string]bool // the top-level keys read, from files that are not broken
	// single is set when the snapshot is one file; locations caches where each file of a
	// directory sits (where.go).
	single    bool
	locations map[string]location

	vpcs        list[awsVpc]
	subnets     list[awsSubnet]
	routeTables list[awsRouteTable]
	igws        list[awsInternetGateway]
	nats        list[awsNatGateway]
	addresses   list[awsAddress]
	enis        list[awsENI]
	instances   list[awsInstance]
	sgs         list[awsSecurityGroup]
	acls        list[awsNetworkAcl]
	vgws        list[awsVpnGateway]
	vpns        list[awsVpnConnection]
	prefixLists list[awsPrefixList]
	plEntries   list[plEntryIn] // get-managed-prefix-list-entries, per list
	endpoints   list[awsVpcEndpoint]

	loadBalancers list[awsLoadBalancer] // ELBv2 (elb.go)
	listeners     list[awsListener]
	targetGroups  list[awsTargetGroup]
	targetHealth  list[awsTargetHealthSet]
	elbAttributes list[awsAttributeSet]
	services      list[awsServiceConfig]

	firewalls        list[awsFirewall] // Network Firewall (firewall.go)
	firewallPolicies list[awsFirewallPolicy]
	ruleGroups       list[awsRuleGroup]

	peerings       list[awsPeering]
	tgws           list[awsTransitGateway]
	tgwAttachments list[awsTGWAttachment]
	tgwVPCAttach   list[awsTGWVpcAttachment]
	tgwPeerAttach  list[awsTGWPeeringAttachment]
	tgwTables      list[awsTGWRouteTable]
	tgwRoutes      list[tgwRouteIn]
	tgwAssocs      list[tgwEntryIn]
	tgwProps       list[tgwEntryIn]
	tgwPLRefs      list[tgwPLRefIn]
	dxGateways     list[awsDXGateway]
	dxAssocs       list[awsDXAssociation]
	dxAttachments  list[awsDXAttachment]
	vifs           list[awsVirtualInterface]
}

// build maps every gathered resource onto the model, kind by kind.
func (l *loader) build() *model.Topology {
	t := &model.Topology{}
	l.buildVPCs(t)
	l.buildSubnets(t)
	l.vpcRegionsFromSubnets(t)
	l.buildRouteTables(t)
	l.buildInternetGateways(t)
	l.buildNATGateways(t)
	l.buildAddresses(t)
	l.buildInterfaces(t) // ENIs and instances together: they share ENIs
	l.buildSecurityGroups(t)
	l.buildNetworkACLs(t)
	l.buildVPNGateways(t)
	l.buildVPNConnections(t)
	l.buildPrefixLists(t)
	l.buildVPCEndpoints(t) // after prefix lists and route tables: it finds its service's list
	l.buildGWLBs(t)
	l.buildFirewalls(t) // after subnets: a mapping takes its subnet's zone
	l.buildPeerings(t)
	l.buildTransitGateways(t)
	l.buildDirectConnect(t)
	return t
}

// at is src with a JSON path suffix, such as ".Routes[0]" or ".CidrBlock".
func at(src model.Source, format string, args ...any) model.Source {
	src.Path += fmt.Sprintf(format, args...)
	return src
}

// seen remembers the IDs of one kind of resource, to keep the first of duplicates. A quiet
// seen skips duplicates without a warning: for answers every region repeats (a Direct
// Connect gateway is global, a transit gateway peering attachment is listed in both of its
// regions), a repeat is the layout, not a mistake.
type seen struct {
	kind  string
	first map[string]model.Source
	quiet bool
}

func newSeen(kind string, n int) *seen {
	return &seen{kind: kind, first: make(map[string]model.Source, n)}
}

// add reports whether id is new. A missing ID is an error; a repeated one (the same answer
// merged twice, from two files of a multi-account snapshot) a warning, and the later copy is
// skipped.
func (s *seen) add(ps *model.Problems, id, field string, src model.Source) bool {
	if id == "" {
		ps.Errorf(src, "%s has no %s; skipped", s.kind, field)
		return false
	}
	if first, dup := s.first[id]; dup {
		if s.quiet {
			return false
		}
		ps.Warnf(src, "duplicate %s %s (first at %s); skipped", s.kind, id, first)
		return false
	}
	s.first[id] = src
	return true
}

// prefix parses an IPv4 CIDR and masks it. A missing or bad value is an error naming the
// path and the value.
func (l *loader) prefix(s string, src model.Source) (netip.Prefix, bool) {
	p, ok := l.anyPrefix(s, src)
	if ok && !p.Addr().Is4() {
		l.probs.Errorf(src, "invalid CIDR %q: not IPv4", s)
		return netip.Prefix{}, false
	}
	return p, ok
}

// addr parses an optional IPv4 address: empty gives the invalid Addr without a problem, a bad
// value is an error naming the value and where() it is. where is only called then: a path
// costs an allocation, and a large snapshot has hundreds of thousands of addresses.
func (l *loader) addr(s string, where func() model.Source) netip.Addr {
	if s == "" {
		return netip.Addr{}
	}
	a, err := netip.ParseAddr(strings.TrimSpace(s))
	if err != nil || !a.Is4() {
		l.probs.Errorf(where(), "invalid IPv4 address %q", s)
		return netip.Addr{}
	}
	return a
}

// checkTime reports a timestamp that is neither AWS CLI style, at src's path plus suffix.
func (l *loader) checkTime(t awsTime, src model.Source, suffix string) {
	if t.Bad {
		l.probs.Errorf(at(src, "%s", suffix), "invalid timestamp %q (want \"2006-01-02 15:04:05+00:00\" or \"2006-01-02T15:04:05.000Z\")", t.Raw)
	}
}

// tags converts tags and picks the Name tag.
func tags(t tagged) (name string, out []model.Tag) {
	for _, tg := range t.list() {
		out = append(out, model.Tag{Key: tg.Key, Value: tg.Value})
		if tg.Key == "Name" && name == "" {
			name = tg.Value
		}
	}
	return name, out
}
