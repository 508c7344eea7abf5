package serve

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"

	"github.com/go-json-experiment/json"

	"github.com/vpclab/vpclab/internal/ec2api"
)

// state is the lab: every resource as its describe-* shape, by ID, in a table per kind.
// A kind's name is its record kind in the store.
type state struct {
	region  string // the served region (AWS-managed prefix lists are per region)
	version uint64 // bumped by every applied write: the compiled network is cached by it

	vpcs         table[ec2api.Vpc]
	subnets      table[ec2api.Subnet]
	igws         table[ec2api.InternetGateway]
	routeTables  table[ec2api.RouteTable]
	groups       table[ec2api.SecurityGroup]
	acls         table[ec2api.NetworkAcl]
	enis         table[ec2api.NetworkInterface]
	reservations table[ec2api.Reservation]
	nats         table[ec2api.NatGateway]
	addresses    table[ec2api.Address] // by allocation ID
	paths        table[ec2api.NetworkInsightsPath]
	analyses     table[ec2api.NetworkInsightsAnalysis]
	tokens       table[clientToken]
	meta         table[meta]
	vpcAttrs     table[vpcAttributes]
	peerings     table[ec2api.VpcPeeringConnection]
	eigws        table[ec2api.EgressOnlyInternetGateway]
	dhcpOptions  table[ec2api.DhcpOptions]
	vgws         table[ec2api.VpnGateway]
	cgws         table[ec2api.CustomerGateway]
	vpns         table[ec2api.VpnConnection]
	vpces        table[ec2api.VpcEndpoint] // endpoints.go

	// transit gateways (transit.go)
	tgws           table[ec2api.TransitGateway]
	tgwAttachments table[ec2api.TransitGatewayVpcAttachment]
	tgwTables      table[tgwTable]

	scopes        table[ec2api.NetworkInsightsAccessScope] // access.go
	scopeContents table[ec2api.NetworkInsightsAccessScopeContent]
	scopeAnalyses table[ec2api.NetworkInsightsAccessScopeAnalysis]
	scopeFindings table[scopeFindings]

	kinds map[string]kind
}

// meta is the state's own bookkeeping, kept as the record ("meta", "ids").
type meta struct {
	IDs uint64 // IDs made so far
}

// clientToken is an idempotent request remembered (EC2's ClientToken): the request's
// parameters, to tell a retry from a different request with the same token, and the
// response given.
type clientToken struct {
	Request  string
	Response []byte
}

// kind is what the state needs of a table without knowing its type.
type kind interface {
	has(id string) bool
	encode(id string) ([]byte, bool)
	decode(id string, b []byte) error
	remove(id string)
}

// table is one kind's records by ID, with the IDs sorted once per change of the set (every
// describe and every write's validation walks them in order).
type table[T any] struct {
	m      map[string]*T
	sorted []string // nil when the set of IDs changed since it was sorted
}

func (t *table[T]) get(id string) *T { return t.m[id] }

func (t *table[T]) has(id string) bool { _, ok := t.m[id]; return ok }

func (t *table[T]) put(id string, v *T) {
	if t.m == nil {
		t.m = map[string]*T{}
	}
	if _, ok := t.m[id]; !ok {
		t.sorted = nil
	}
	t.m[id] = v
}

func (t *table[T]) remove(id string) {
	if _, ok := t.m[id]; ok {
		t.sorted = nil
		delete(t.m, id)
	}
}

func (t *table[T]) encode(id string) ([]byte, bool) {
	v, ok := t.m[id]
	if !ok {
		return nil, false
	}
	b, err := json.Marshal(v, json.Deterministic(true))
	if err != nil {
		panic(fmt.Sprintf("serve: a generated shape does not marshal: %v", err)) // a bug, not input
	}
	return b, true
}

func (t *table[T]) decode(id string, b []byte) error {
	v := new(T)
	if err := json.Unmarshal(b, v); err != nil {
		return err
	}
	t.put(id, v)
	return nil
}

// ids returns the table's IDs, sorted; the caller must not change the slice.
func (t *table[T]) ids() []string {
	if t.sorted == nil {
		t.sorted = make([]string, 0, len(t.m))
		for id := range t.m {
			t.sorted = append(t.sorted, id)
		}
		slices.Sort(t.sorted)
	}
	return t.sorted
}

// all returns the records in ID order.
func (t *table[T]) all() []*T {
	ids := t.ids()
	out := make([]*T, len(ids))
	for i, id := range ids {
		out[i] = t.m[id]
	}
	return out
}

func newState() *state {
	st := &state{}
	st.kinds = map[string]kind{
		"vpc": &st.vpcs, "subnet": &st.subnets, "igw": &st.igws, "route-table": &st.routeTables,
		"security-group": &st.groups, "network-acl": &st.acls, "network-interface": &st.enis,
		"reservation": &st.reservations, "nat-gateway": &st.nats, "address": &st.addresses,
		"insights-path": &st.paths, "insights-analysis": &st.analyses, "client-token": &st.tokens,
		"meta": &st.meta, "vpc-attributes": &st.vpcAttrs,
		"vpc-peering-connection": &st.peerings, "egress-only-internet-gateway": &st.eigws, "dhcp-options": &st.dhcpOptions,
		"vpn-gateway": &st.vgws, "customer-gateway": &st.cgws, "vpn-connection": &st.vpns, "vpc-endpoint": &st.vpces,
		kindTGW: &st.tgws, kindTGWAttach: &st.tgwAttachments, kindTGWTable: &st.tgwTables,
		"access-scope": &st.scopes, "access-scope-content": &st.scopeContents, "access-scope-analysis": &st.scopeAnalyses,
		"access-scope-findings": &st.scopeFindings,
	}
	return st
}

// load reads the stored records into the state.
func (st *state) load(s Store) error {
	return s.Load(func(k, id string, v []byte) error {
		t, ok := st.kinds[k]
		if !ok {
			return fmt.Errorf("the state holds records of kind %q, which this vpclab does not know: was it written by a newer one?", k)
		}
		if err := t.decode(id, v); err != nil {
			return fmt.Errorf("record %s %s: %v", k, id, err)
		}
		return nil
	})
}

// newID makes the next ID with prefix (vpc, subnet, ...): 17 hex digits, as AWS's, derived
// from the seed and a counter kept in the state, so a restarted server goes on where it
// stopped and the same seed gives the same IDs.
func (c *call) newID(prefix string) string {
	m := c.st.meta.get("ids")
	if m == nil {
		m = &meta{}
	}
	c.touch("meta", "ids")
	m.IDs++
	c.st.meta.put("ids", m)
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], c.s.opt.Seed)
	binary.BigEndian.PutUint64(b[8:], m.IDs)
	h := sha256.Sum256(append([]byte(prefix), b[:]...))
	return prefix + "-" + hex.EncodeToString(h[:9])[:17]
}

// call is one request being answered: it records what it touches so that the change can be
// committed, or undone when the request fails.
type call struct {
	s     *Server
	st    *state
	now   string // the request's time, as EC2 writes timestamps
	undo  map[[2]string][]byte
	order [][2]string // touched records, in the order first touched
	vpcs  map[string]bool
}

// touch records that the request is about to write record (kind, id): its old value is
// kept so that a failed request leaves the state as it found it.
func (c *call) touch(kind, id string) {
	key := [2]string{kind, id}
	if _, ok := c.undo[key]; ok {
		return
	}
	old, _ := c.st.kinds[kind].encode(id)
	c.undo[key] = old
	c.order = append(c.order, key)
}

// check marks a VPC whose dataplane the request changes: the loader's validation runs on
// it before the change is accepted.
func (c *call) check(vpcID string) {
	if vpcID != "" {
		c.vpcs[vpcID] = true
	}
}

// rollback restores every touched record.
func (c *call) rollback() {
	for _, key := range slices.Backward(c.order) {
		t := c.st.kinds[key[0]]
		if old := c.undo[key]; old == nil {
			t.remove(key[1])
		} else if err := t.decode(key[1], old); err != nil {
			panic("serve: a record encoded a moment ago does not decode: " + err.Error())
		}
	}
}

// changes are the touched records as they are now, to commit.
func (c *call) changes() []Change {
	out := make([]Change, 0, len(c.order))
	for _, key := range c.order {
		v, _ := c.st.kinds[key[0]].encode(key[1])
		out = append(out, Change{Kind: key[0], ID: key[1], Value: v})
	}
	return out
}

// str is a pointer to s, for the generated shapes' optional members.
func str(s string) *string { return &s }

// val is *p, or "" for nil.
func val(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func boolp(b bool) *bool { return &b }

func int32p(n int32) *int32 { return &n }

func itoa(n int) string { return strconv.Itoa(n) }

func sortStrings(s []string) { slices.Sort(s) }
