// Package snapshot loads a directory of `aws ec2 describe-*` JSON answers into a
// model.Topology.
//
// Every *.json file below the directory is read, in sorted order, whatever its name or depth
// (the multi-account layout aws_configs/<account>/<region>/*.json and a flat directory both
// work). A file is recognised by its top-level keys (Vpcs, Subnets, RouteTables, ...); each
// key is decoded into a lean type of our own (awsjson.go) and then mapped onto the model.
// Keys vpclab does not model yet produce warnings. Every object, route, rule and entry
// carries its Source: the file and the JSON path, such as "RouteTables[1].Routes[0]".
//
// Load reports every problem it finds and never stops at the first. It neither applies AWS's
// defaults nor validates: the caller runs model.ApplyDefaults and validation. Section
// numbers (§) refer to aws-vpc-semantics.md; the API shapes are in its §9.
package snapshot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/vpclab/vpclab/internal/model"
)

// Load reads a directory of `aws ec2 describe-*` JSON answers and returns the model. dir may
// also name a single JSON file. Problems holds every error and warning found; the topology
// is returned even when there are errors, holding what could be read.
func Load(dir string) (*model.Topology, model.Problems) {
	l := &loader{}
	info, err := os.Stat(dir)
	switch {
	case err != nil:
		l.probs.Errorf(model.Source{File: dir}, "cannot read snapshot: %v", err)
	case !info.IsDir():
		l.readFile(dir, dir)
	default:
		var files [][2]string
		err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				l.probs.Errorf(model.Source{File: relName(dir, path)}, "cannot read: %v", err)
				if d != nil && d.IsDir() && path != dir {
					return fs.SkipDir
				}
				return nil
			}
			if !d.IsDir() && strings.EqualFold(filepath.Ext(path), ".json") {
				files = append(files, [2]string{path, relName(dir, path)})
			}
			return nil
		})
		if err != nil {
			l.probs.Errorf(model.Source{File: dir}, "cannot read snapshot: %v", err)
		}
		l.readFiles(files)
	}
	return l.build(), l.probs
}

// readFiles decodes files (path, name) concurrently, one decoder per core: decoding JSON is
// most of a large snapshot's load time. What each file gives is merged in the walk's order,
// so the result does not depend on scheduling.
func (l *loader) readFiles(files [][2]string) {
	parts := make([]loader, len(files))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, f := range files {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			parts[i].readFile(f[0], f[1])
			<-sem
		}()
	}
	wg.Wait()
	for i := range parts {
		l.absorb(&parts[i])
	}
}

// absorb appends what another loader read.
func (l *loader) absorb(p *loader) {
	l.probs = append(l.probs, p.probs...)
	l.vpcs = append(l.vpcs, p.vpcs...)
	l.subnets = append(l.subnets, p.subnets...)
	l.routeTables = append(l.routeTables, p.routeTables...)
	l.igws = append(l.igws, p.igws...)
	l.nats = append(l.nats, p.nats...)
	l.addresses = append(l.addresses, p.addresses...)
	l.enis = append(l.enis, p.enis...)
	l.instances = append(l.instances, p.instances...)
	l.sgs = append(l.sgs, p.sgs...)
	l.acls = append(l.acls, p.acls...)
	l.vgws = append(l.vgws, p.vgws...)
	l.vpns = append(l.vpns, p.vpns...)
	l.prefixLists = append(l.prefixLists, p.prefixLists...)
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

// loader gathers the decoded resources of every file first and maps them onto the model
// afterwards, kind by kind (build), so that merging across files (an instance's ENIs with
// describe-network-interfaces) does not depend on which file the walk reaches first.
type loader struct {
	probs model.Problems

	vpcs        []item[awsVpc]
	subnets     []item[awsSubnet]
	routeTables []item[awsRouteTable]
	igws        []item[awsInternetGateway]
	nats        []item[awsNatGateway]
	addresses   []item[awsAddress]
	enis        []item[awsENI]
	instances   []item[awsInstance]
	sgs         []item[awsSecurityGroup]
	acls        []item[awsNetworkAcl]
	vgws        []item[awsVpnGateway]
	vpns        []item[awsVpnConnection]
	prefixLists []item[awsPrefixList]
}

// readFile decodes one describe-* answer. name is how messages call the file.
func (l *loader) readFile(path, name string) {
	data, err := os.ReadFile(path)
	if err != nil {
		l.probs.Errorf(model.Source{File: name}, "cannot read: %v", err)
		return
	}
	src := model.Source{File: name}
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		l.probs.Errorf(src, "file is UTF-16 encoded; save it as UTF-8")
		return
	}
	if bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")) {
		data = append([]byte("   "), data[3:]...) // a BOM: blank it, keeping offsets
	}
	if !json.Valid(data) { // checks the whole file, without building it
		var whole json.RawMessage
		syntaxProblem(&l.probs, name, data, json.Unmarshal(data, &whole))
		return
	}
	if !bytes.HasPrefix(bytes.TrimSpace(data), []byte("{")) {
		l.probs.Warnf(src, "not a describe-* answer (the top-level value is not a JSON object); skipped")
		return
	}
	keys, err := topLevelKeys(data)
	if err != nil {
		l.probs.Errorf(src, "invalid JSON: %v", err)
		return
	}
	f := jsonFile{name: name, data: data}
	answered := false
	for _, tl := range keys {
		answered = l.readKey(f, tl) || answered
	}
	if !answered {
		l.probs.Warnf(src, "no describe-* answer recognised; skipped")
	}
}

// unmodelled are describe-* answers vpclab knows of but does not model yet.
var unmodelled = map[string]bool{
	"AvailabilityZones": true, "CustomerGateways": true, "VpcEndpoints": true,
	"TransitGateways": true, "TransitGatewayAttachments": true, "TransitGatewayRouteTables": true,
	"VpcPeeringConnections": true, "EgressOnlyInternetGateways": true, "DhcpOptions": true,
	"FlowLogs": true, "ManagedPrefixLists": true, "LoadBalancers": true, "NetworkFirewalls": true,
	"LocalGateways": true, "CarrierGateways": true, "Regions": true,
}

// readKey decodes one top-level key of a file. It reports whether the key was dealt with:
// decoded, or skipped with a warning of its own.
func (l *loader) readKey(f jsonFile, tl topLevel) bool {
	switch tl.key {
	case "NextToken", "ResponseMetadata":
		return false // pagination and request metadata: nothing to model or warn about
	case "Vpcs":
		l.vpcs = appendItems(l.vpcs, f, tl, decodeArray[awsVpc](&l.probs, f, tl))
	case "Subnets":
		l.subnets = appendItems(l.subnets, f, tl, decodeArray[awsSubnet](&l.probs, f, tl))
	case "RouteTables":
		l.routeTables = appendItems(l.routeTables, f, tl, decodeArray[awsRouteTable](&l.probs, f, tl))
	case "InternetGateways":
		l.igws = appendItems(l.igws, f, tl, decodeArray[awsInternetGateway](&l.probs, f, tl))
	case "NatGateways":
		l.nats = appendItems(l.nats, f, tl, decodeArray[awsNatGateway](&l.probs, f, tl))
	case "Addresses":
		l.addresses = appendItems(l.addresses, f, tl, decodeArray[awsAddress](&l.probs, f, tl))
	case "NetworkInterfaces":
		l.enis = appendItems(l.enis, f, tl, decodeArray[awsENI](&l.probs, f, tl))
	case "Reservations":
		for i, r := range decodeArray[awsReservation](&l.probs, f, tl) {
			for j, in := range r.Instances {
				l.instances = append(l.instances, item[awsInstance]{v: in,
					src: model.Source{File: f.name, Path: fmt.Sprintf("%s[%d].Instances[%d]", tl.key, i, j)}})
			}
		}
	case "SecurityGroups":
		l.sgs = appendItems(l.sgs, f, tl, decodeArray[awsSecurityGroup](&l.probs, f, tl))
	case "NetworkAcls":
		l.acls = appendItems(l.acls, f, tl, decodeArray[awsNetworkAcl](&l.probs, f, tl))
	case "VpnGateways":
		l.vgws = appendItems(l.vgws, f, tl, decodeArray[awsVpnGateway](&l.probs, f, tl))
	case "VpnConnections":
		l.vpns = appendItems(l.vpns, f, tl, decodeArray[awsVpnConnection](&l.probs, f, tl))
	case "PrefixLists":
		l.prefixLists = appendItems(l.prefixLists, f, tl, decodeArray[awsPrefixList](&l.probs, f, tl))
	default:
		src := model.Source{File: f.name, Path: tl.key}
		if unmodelled[tl.key] {
			l.probs.Warnf(src, "%s are not modelled yet; skipped", tl.key)
		} else {
			l.probs.Warnf(src, "unknown key %q (not a describe-* answer vpclab reads); skipped", tl.key)
		}
	}
	return true
}

func appendItems[T any](dst []item[T], f jsonFile, tl topLevel, vs []T) []item[T] {
	for i, v := range vs {
		dst = append(dst, item[T]{v: v, src: model.Source{File: f.name, Path: fmt.Sprintf("%s[%d]", tl.key, i)}})
	}
	return dst
}

// build maps every gathered resource onto the model, kind by kind.
func (l *loader) build() *model.Topology {
	t := &model.Topology{}
	l.buildVPCs(t)
	l.buildSubnets(t)
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
	return t
}

// at is src with a JSON path suffix, such as ".Routes[0]" or ".CidrBlock".
func at(src model.Source, format string, args ...any) model.Source {
	src.Path += fmt.Sprintf(format, args...)
	return src
}

// seen remembers the IDs of one kind of resource, to keep the first of duplicates.
type seen struct {
	kind  string
	first map[string]model.Source
}

func newSeen(kind string) *seen { return &seen{kind: kind, first: map[string]model.Source{}} }

// add reports whether id is new. A missing ID is an error; a repeated one (the same answer
// merged twice, from two files of a multi-account snapshot) a warning, and the later copy is
// skipped.
func (s *seen) add(ps *model.Problems, id, field string, src model.Source) bool {
	if id == "" {
		ps.Errorf(src, "%s has no %s; skipped", s.kind, field)
		return false
	}
	if first, dup := s.first[id]; dup {
		ps.Warnf(src, "duplicate %s %s (first at %s); skipped", s.kind, id, first)
		return false
	}
	s.first[id] = src
	return true
}

// prefix parses an IPv4 CIDR and masks it. A missing or bad value is an error naming the
// path and the value.
func (l *loader) prefix(s string, src model.Source) (netip.Prefix, bool) {
	if s == "" {
		l.probs.Errorf(src, "missing CIDR")
		return netip.Prefix{}, false
	}
	p, err := netip.ParsePrefix(strings.TrimSpace(s))
	if err != nil {
		l.probs.Errorf(src, "invalid CIDR %q", s)
		return netip.Prefix{}, false
	}
	if !p.Addr().Is4() {
		l.probs.Errorf(src, "invalid CIDR %q: not IPv4", s)
		return netip.Prefix{}, false
	}
	return p.Masked(), true
}

// addr parses an optional IPv4 address: empty gives the invalid Addr without a problem, a bad
// value is an error naming the path and the value.
func (l *loader) addr(s string, src model.Source) netip.Addr {
	if s == "" {
		return netip.Addr{}
	}
	a, err := netip.ParseAddr(strings.TrimSpace(s))
	if err != nil || !a.Is4() {
		l.probs.Errorf(src, "invalid IPv4 address %q", s)
		return netip.Addr{}
	}
	return a
}

// checkTime reports a timestamp that is neither AWS CLI style.
func (l *loader) checkTime(t awsTime, src model.Source) {
	if t.Bad {
		l.probs.Errorf(src, "invalid timestamp %q (want \"2006-01-02 15:04:05+00:00\" or \"2006-01-02T15:04:05.000Z\")", t.Raw)
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
