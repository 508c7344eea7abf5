package snapshot

import (
	"bytes"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/vpclab/vpclab/internal/model"
)

// readFiles reads the files (path, name) as a pipeline:
//
//   - each file is streamed (stream.go) and scanned into its top-level keys and array
//     elements (a byte scan, one file per core), and the elements are handed to the decoders
//     in batches, each lent from the stream's window (no copy), as the scan finds them;
//   - the decoders, one per core, decode the batches of every file as they come, so one huge
//     file (describe-instances of a large estate is three quarters of its bytes) neither
//     waits for its scan to end nor leaves the other cores idle;
//   - last, the batches decoded are appended to the loader's lists file by file, key by key,
//     in order, so the result does not depend on scheduling.
func (l *loader) readFiles(files [][2]string) {
	work := make(chan func(), 64)
	var decoders sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		decoders.Go(func() {
			for decode := range work {
				decode()
			}
		})
	}
	read := make([]*fileRead, len(files))
	parallel(len(files), func(i int) { read[i] = readFile(files[i][0], files[i][1], l.data, work) })
	close(work)
	decoders.Wait()
	for _, f := range read {
		f.finish(l)
	}
}

// parallel calls fn(i) for every i in [0, n), on as many goroutines as there are cores, each
// claiming the next i as it finishes the last.
func parallel(n int, fn func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), n) {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				fn(i)
			}
		})
	}
	wg.Wait()
}

// fileRead is one file between reading and appending: the problems met so far and, for each
// top-level key read, what appends its decoded elements.
type fileRead struct {
	jsonFile
	work     chan<- func() // where batches of elements go to be decoded
	probs    model.Problems
	keys     []func(l *loader)
	answered bool  // some key is a describe-* answer, or the file was reported otherwise
	readErr  error // reading failed part way: the file is reported, not read
}

// readFile streams and scans one describe-* answer, sending its elements to work. name is
// how messages call the file; data is its content when it is held in memory.
func readFile(path, name string, data []byte, work chan<- func()) *fileRead {
	f := &fileRead{jsonFile: jsonFile{path: path, name: name, data: data}, work: work}
	src := model.Source{File: f.name}
	file, err := f.open()
	if err != nil {
		f.probs.Errorf(src, "cannot read: %v", err)
		f.answered = true
		return f
	}
	defer file.Close()
	s := newStream(file)
	defer s.close()
	for len(s.buf) < 3 && s.more(0) {
	}
	switch data := s.buf; {
	case s.err != nil:
		f.readErr = s.err
		return f
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		f.probs.Errorf(src, "file is UTF-16 encoded; save it as UTF-8")
		f.answered = true
		return f
	case bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")):
		copy(data, "   ") // a BOM: blank it, keeping offsets
	}
	start := s.skipSpace(0, 0)
	if c, ok := s.byteAt(start, start); ok && c != '{' {
		end, err := checkValue(s, start, nil)
		if err == nil {
			err = trailing(s, end)
		}
		switch {
		case s.err != nil:
			f.readErr = s.err
		case err != nil:
			f.bad.Store(true)
		default:
			f.probs.Warnf(src, "not a describe-* answer (the top-level value is not a JSON object); skipped")
			f.answered = true
		}
		return f
	}
	keys, err := scanFile(s, start, f.plan)
	switch {
	case s.err != nil:
		f.readErr = s.err
	case err != nil:
		f.bad.Store(true)
	default:
		for _, tl := range keys {
			f.check(tl)
		}
	}
	return f
}

// finish appends what the file gave to the loader.
func (f *fileRead) finish(l *loader) {
	switch {
	case f.readErr != nil:
		l.probs.Errorf(model.Source{File: f.name}, "cannot read: %v", f.readErr)
		return
	case f.bad.Load(): // the file is not read: what was found in it before does not count
		data, err := f.readAll() // read whole only to place the error
		if err != nil {
			l.probs.Errorf(model.Source{File: f.name}, "cannot read: %v", err)
			return
		}
		if bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")) {
			copy(data, "   ")
		}
		syntaxProblem(&l.probs, f.name, data)
		return
	}
	l.probs = append(l.probs, f.probs...)
	for _, appendTo := range f.keys {
		appendTo(l)
	}
	if !f.answered {
		l.probs.Warnf(model.Source{File: f.name}, "no describe-* answer recognised; skipped")
	}
}

// unmodelled are describe-* answers vpclab knows of but does not model yet.
var unmodelled = map[string]bool{
	"AvailabilityZones": true, "CustomerGateways": true,
	"EgressOnlyInternetGateways": true, "DhcpOptions": true,
	"FlowLogs": true, "NetworkFirewalls": true,
	"LocalGateways": true, "CarrierGateways": true, "Regions": true,
	// Network Firewall (§14.1, §14.17): endpoints a VPC endpoint association adds in other
	// VPCs, and TLS inspection, are not modelled.
	"VpcEndpointAssociations": true, "TLSInspectionConfigurations": true,
}

// answers are the describe-* answers vpclab reads, by top-level key, in the order messages
// list them. Each row plans the decoding of its key's elements into the loader's list. An
// alias is another spelling of an answer listed before it (Batfish's PascalCase of the
// Direct Connect answers), which messages do not list again.
var answers = []struct {
	key   string
	plan  func(f *fileRead, tl *topLevel) sink
	alias bool
}{
	{"Vpcs", into(func(l *loader) *list[awsVpc] { return &l.vpcs }), false},
	{"Subnets", into(func(l *loader) *list[awsSubnet] { return &l.subnets }), false},
	{"RouteTables", into(func(l *loader) *list[awsRouteTable] { return &l.routeTables }), false},
	{"InternetGateways", into(func(l *loader) *list[awsInternetGateway] { return &l.igws }), false},
	{"NatGateways", into(func(l *loader) *list[awsNatGateway] { return &l.nats }), false},
	{"Addresses", into(func(l *loader) *list[awsAddress] { return &l.addresses }), false},
	{"NetworkInterfaces", into(func(l *loader) *list[awsENI] { return &l.enis }), false},
	{"Reservations", func(f *fileRead, tl *topLevel) sink { // a reservation gives its instances
		return decodeKey(f, tl, func(l *loader) *list[awsInstance] { return &l.instances },
			func(out []item[awsInstance], r *awsReservation, src model.Source) []item[awsInstance] {
				for j, in := range r.Instances {
					src := model.Source{File: src.File, Path: src.Path + ".Instances[" + strconv.Itoa(j) + "]"}
					out = append(out, item[awsInstance]{v: in, src: src})
				}
				return out
			})
	}, false},
	{"SecurityGroups", into(func(l *loader) *list[awsSecurityGroup] { return &l.sgs }), false},
	{"NetworkAcls", into(func(l *loader) *list[awsNetworkAcl] { return &l.acls }), false},
	{"VpnGateways", into(func(l *loader) *list[awsVpnGateway] { return &l.vgws }), false},
	{"VpnConnections", into(func(l *loader) *list[awsVpnConnection] { return &l.vpns }), false},
	{"VpcPeeringConnections", into(func(l *loader) *list[awsPeering] { return &l.peerings }), false},
	{"TransitGateways", into(func(l *loader) *list[awsTransitGateway] { return &l.tgws }), false},
	{"TransitGatewayAttachments", into(func(l *loader) *list[awsTGWAttachment] { return &l.tgwAttachments }), false},
	{"TransitGatewayVpcAttachments", into(func(l *loader) *list[awsTGWVpcAttachment] { return &l.tgwVPCAttach }), false},
	{"TransitGatewayPeeringAttachments", into(func(l *loader) *list[awsTGWPeeringAttachment] { return &l.tgwPeerAttach }), false},
	{"TransitGatewayRouteTables", into(func(l *loader) *list[awsTGWRouteTable] { return &l.tgwTables }), false},
	{"TransitGatewayStaticRoutes", planStaticRoutes, false},
	{"TransitGatewayPropagations", planPropagations, false},
	{"TransitGatewayPrefixListReferences", planPrefixListReferences, false},
	{"Routes", planSearchedRoutes, false},
	{"TransitGatewayRouteTablePropagations", planTableEntries("get-transit-gateway-route-table-propagations",
		func(l *loader) *list[tgwEntryIn] { return &l.tgwProps }), false},
	{"Associations", planTableEntries("get-transit-gateway-route-table-associations",
		func(l *loader) *list[tgwEntryIn] { return &l.tgwAssocs }), false},
	{"directConnectGateways", into(func(l *loader) *list[awsDXGateway] { return &l.dxGateways }), false},
	{"directConnectGatewayAssociations", into(func(l *loader) *list[awsDXAssociation] { return &l.dxAssocs }), false},
	{"directConnectGatewayAttachments", into(func(l *loader) *list[awsDXAttachment] { return &l.dxAttachments }), false},
	{"virtualInterfaces", into(func(l *loader) *list[awsVirtualInterface] { return &l.vifs }), false},
	{"DirectConnectGateways", into(func(l *loader) *list[awsDXGateway] { return &l.dxGateways }), true},
	{"DirectConnectGatewayAssociations", into(func(l *loader) *list[awsDXAssociation] { return &l.dxAssocs }), true},
	{"DirectConnectGatewayAttachments", into(func(l *loader) *list[awsDXAttachment] { return &l.dxAttachments }), true},
	{"VirtualInterfaces", into(func(l *loader) *list[awsVirtualInterface] { return &l.vifs }), true},
	{"PrefixLists", into(func(l *loader) *list[awsPrefixList] { return &l.prefixLists }), false},
	{"ManagedPrefixLists", into(func(l *loader) *list[awsPrefixList] { return &l.prefixLists }), false},
	{"Entries", planPrefixListEntries, false},
	{"VpcEndpoints", into(func(l *loader) *list[awsVpcEndpoint] { return &l.endpoints }), false},
	{"LoadBalancers", into(func(l *loader) *list[awsLoadBalancer] { return &l.loadBalancers }), false},
	{"Listeners", into(func(l *loader) *list[awsListener] { return &l.listeners }), false},
	{"TargetGroups", into(func(l *loader) *list[awsTargetGroup] { return &l.targetGroups }), false},
	{"LoadBalancerTargetHealth", into(func(l *loader) *list[awsTargetHealthSet] { return &l.targetHealth }), false},
	{"LoadBalancerListeners", func(f *fileRead, tl *topLevel) sink { // Batfish's: listeners per load balancer
		return decodeKey(f, tl, func(l *loader) *list[awsListener] { return &l.listeners },
			func(out []item[awsListener], s *awsListenerSet, src model.Source) []item[awsListener] {
				for j, ln := range s.Listeners {
					if ln.LoadBalancerArn == "" {
						ln.LoadBalancerArn = s.LoadBalancerArn
					}
					out = append(out, item[awsListener]{v: ln, src: model.Source{File: src.File, Path: src.Path + ".Listeners[" + strconv.Itoa(j) + "]"}})
				}
				return out
			})
	}, false},
	{"LoadBalancerAttributes", into(func(l *loader) *list[awsAttributeSet] { return &l.elbAttributes }), false},
	{"TargetGroupAttributes", into(func(l *loader) *list[awsAttributeSet] { return &l.elbAttributes }), false},
	{"ListenerAttributes", into(func(l *loader) *list[awsAttributeSet] { return &l.elbAttributes }), false},
	{"ServiceConfigurations", into(func(l *loader) *list[awsServiceConfig] { return &l.services }), false},
	{"Firewalls", into(func(l *loader) *list[awsFirewall] { return &l.firewalls }), false},
	{"FirewallPolicies", into(func(l *loader) *list[awsFirewallPolicy] { return &l.firewallPolicies }), false},
	{"RuleGroups", into(func(l *loader) *list[awsRuleGroup] { return &l.ruleGroups }), false},
}

// into plans a key whose every element is one item of the list.
func into[T any](list func(l *loader) *list[T]) func(f *fileRead, tl *topLevel) sink {
	return func(f *fileRead, tl *topLevel) sink { return decodeKey(f, tl, list, one) }
}

// plan returns the sink for the elements of a top-level key vpclab reads, or nil for the
// keys it skips.
func (f *fileRead) plan(tl *topLevel) sink {
	for _, a := range answers {
		if a.key == tl.key {
			return a.plan(f, tl)
		}
	}
	return nil
}

// check deals with a top-level value once the scan has passed it: a key read whose value is
// not an array (null is an empty answer), and the keys skipped: pagination, request metadata
// and, with a warning, answers vpclab does not model.
func (f *fileRead) check(tl topLevel) {
	if tl.decoded {
		f.answered = true
		if kind := valueKind(tl.kind); !tl.array && kind != "null" {
			f.probs.Errorf(model.Source{File: f.name, Path: tl.key}, "expected array, got %s (line %d, column %d)", kind, tl.line, tl.col)
		}
		return
	}
	switch src := (model.Source{File: f.name, Path: tl.key}); {
	case tl.key == "NextToken" || tl.key == "ResponseMetadata":
		// nothing to model or warn about
	case tl.key == "AdditionalRoutesAvailable": // beside the Routes of search-transit-gateway-routes
		if tl.raw == "true" {
			f.probs.Warnf(src, "routes truncated: search-transit-gateway-routes has more routes than it listed "+
				"(at most 1000 per call); the table lacks the rest (narrow the search with --filters and save each answer)")
		}
	case unmodelled[tl.key]:
		f.probs.Warnf(src, "%s are not modelled yet; skipped", tl.key)
		f.answered = true
	default:
		f.probs.Warnf(src, "unknown key %q (not a describe-* answer vpclab reads); skipped", tl.key)
		f.answered = true
	}
}

// one is the item an element gives, for every kind but reservations.
func one[T any](out []item[T], v *T, src model.Source) []item[T] {
	return append(out, item[T]{v: *v, src: src})
}

// decodeKey plans the decoding of one top-level array of T into the loader's list of U:
// expand gives the items of one element (src names it). The sink it returns sends each
// batch of elements to the decoders; the file's finish later appends the items in order.
func decodeKey[T, U any](f *fileRead, tl *topLevel, list func(l *loader) *list[U],
	expand func(out []item[U], v *T, src model.Source) []item[U]) sink {
	tl.decoded = true
	key := tl.key
	type batch struct {
		items []item[U]
		probs model.Problems
	}
	var batches []*batch // in order: the scan appends them, one file being one goroutine
	f.keys = append(f.keys, func(l *loader) {
		l.answer(key)
		var probs model.Problems
		for _, b := range batches {
			probs = append(probs, b.probs...)
		}
		if len(probs) > maxTypeErrors {
			probs = probs[:maxTypeErrors]
			probs.Errorf(model.Source{File: f.name, Path: key}, "more than %d type errors; the rest are not reported", maxTypeErrors)
		}
		l.probs = append(l.probs, probs...)
		p := list(l)
		for _, b := range batches {
			p.add(b.items) // kept as decoded: copying them would cost a pass over every item
		}
	})
	return func(first int, t *text, elems []span) {
		b := &batch{}
		batches = append(batches, b)
		f.work <- func() {
			defer t.release()
			if f.bad.Load() {
				return // the file is reported, not read
			}
			b.items = make([]item[U], 0, len(elems))
			var v T // one for the batch: each element is decoded into it afresh, then copied
			for i, el := range elems {
				b.probs = append(b.probs, decodeElem(&f.jsonFile, key, first+i, t, el, &v)...)
				b.items = expand(b.items, &v, model.Source{File: f.name, Path: key + "[" + strconv.Itoa(first+i) + "]"})
			}
		}
	}
}
