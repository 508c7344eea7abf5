package analyze

import (
	"cmp"
	"fmt"
	"io"
	"net/netip"
	"reflect"
	"slices"
	"strings"

	"github.com/vpclab/vpclab/internal/model"
)

// Matching pairs the resources of two topologies: by ID first and, for those left over on
// both sides (a lab against a describe-* snapshot of the same network, resources re-created),
// by the keys of their row in kindRows: Name tag, CIDR, group name, private IP, associations.
// After is the after topology with the before topology's ID on every matched resource and
// every reference to one (route targets, associations, group references, an interface's
// groups, ...), so the ID-based diff (DiffModels, InstancePairs, Diff) compares matched
// resources as the same.
type Matching struct {
	ByID int // resources matched by ID
	// Matched are the resources matched otherwise, in table order; NotMatched those of one
	// topology that nothing matched.
	Matched    []MatchedResource
	NotMatched []UnmatchedResource
	After      *model.Topology
	// Resources counts what each topology holds.
	Resources [2]int
}

// MatchedResource is one resource matched by another key than its ID.
type MatchedResource struct {
	Kind, Name    string
	Before, After string // IDs
	By            string // the key: "Name tag", "CIDR", ...
}

// UnmatchedResource is a resource of one topology that no resource of the other matched.
type UnmatchedResource struct {
	Side           string // before or after
	Kind, ID, Name string
}

func (u UnmatchedResource) String() string {
	s := u.Kind + " " + u.ID
	if u.Name != "" && u.Name != u.ID {
		s += " (" + u.Name + ")"
	}
	return s
}

// Disjoint reports that both topologies hold resources and share none, by ID or any key: they
// describe different networks, and a diff would only list everything as removed and added.
func (m *Matching) Disjoint() bool {
	return m.ByID == 0 && len(m.Matched) == 0 && m.Resources[0] > 0 && m.Resources[1] > 0
}

// MatchTopologies pairs the resources of before and after (see Matching). The topologies are
// not modified; After is a deep copy when any ID had to be rewritten, else after itself.
func MatchTopologies(before, after *model.Topology) *Matching {
	m := &matcher{
		before: &side{t: before, ix: model.NewIndex(before)},
		after:  &side{t: after, ix: model.NewIndex(after), ids: map[string]string{}},
		res:    &Matching{After: after},
	}
	for _, r := range kindRows {
		r.match(m)
		m.res.Resources[0] += len(r.ids(before))
		m.res.Resources[1] += len(r.ids(after))
	}
	renamed := map[string]string{}
	for a, b := range m.after.ids {
		if a != b {
			renamed[a] = b
		}
	}
	if len(renamed) > 0 {
		m.res.After = withIDs(after, renamed)
	}
	slices.SortStableFunc(m.res.NotMatched, func(x, y UnmatchedResource) int { return cmp.Compare(x.Side, y.Side) })
	return m.res
}

// side is one topology as matching sees it. ids maps the after topology's IDs to the before
// topology's, for the resources matched so far; nil on the before side, whose IDs are its own.
type side struct {
	t   *model.Topology
	ix  *model.Index
	ids map[string]string
}

type matcher struct {
	before, after *side
	res           *Matching
}

// matchKey is one way to identify a resource of type T when IDs differ: key returns ""
// when it does not apply (no Name tag, or a resource it refers to is not matched).
type matchKey[T any] struct {
	by  string // as the report says it
	key func(s *side, x *T) string
}

// ref is the before topology's ID of the resource id names in s; "" when it has none.
func ref[ID ~string](s *side, id ID) string {
	if s.ids == nil || id == "" {
		return string(id)
	}
	return s.ids[string(id)]
}

// refSet is a set of IDs of s in the before topology's terms, sorted; "" when one is not
// matched.
func refSet[ID ~string](s *side, ids []ID) string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		r := ref(s, id)
		if r == "" {
			return ""
		}
		out = append(out, r)
	}
	slices.Sort(out)
	return "[" + strings.Join(out, ",") + "]"
}

// key joins the parts of a match key; "" when one is missing.
func key(parts ...string) string {
	if slices.Contains(parts, "") {
		return ""
	}
	return strings.Join(parts, "|")
}

// when is key k where a resource has a property (the main route table of a VPC), else "".
func when(has bool, k string) string {
	if has {
		return k
	}
	return ""
}

func prefixSet(ps []netip.Prefix) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	slices.Sort(s)
	return "[" + strings.Join(s, ",") + "]"
}

func prefixText(p netip.Prefix) string {
	if !p.IsValid() {
		return ""
	}
	return p.String()
}

func addrText(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

// instanceVPC is the VPC of an instance's primary interface.
func instanceVPC(s *side, in *model.Instance) model.VPCID {
	if len(in.ENIs) > 0 {
		if e := s.ix.ENIs[in.ENIs[0]]; e != nil {
			return e.VPC
		}
	}
	return ""
}

// matchKind pairs the kind's resources: by ID, then by each key in turn among those left
// over, where the key names exactly one resource on each side.
func (r rowOf[T]) matchKind(m *matcher) {
	bs, as := r.list(m.before.t), r.list(m.after.t)
	inB := make(map[string]bool, len(bs))
	for _, x := range bs {
		inB[r.id(x)] = true
	}
	var leftA []*T
	for _, x := range as {
		if id := r.id(x); inB[id] {
			m.after.ids[id] = id
			m.res.ByID++
		} else {
			leftA = append(leftA, x)
		}
	}
	var leftB []*T
	for _, x := range bs {
		if _, ok := m.after.ids[r.id(x)]; !ok {
			leftB = append(leftB, x)
		}
	}
	for _, k := range r.match {
		if len(leftA) == 0 || len(leftB) == 0 {
			break
		}
		kb, ka := uniqueKeys(leftB, m.before, k.key), uniqueKeys(leftA, m.after, k.key)
		matched := map[*T]bool{}
		for _, a := range leftA {
			kk := k.key(m.after, a)
			if ka[kk] == nil || kb[kk] == nil {
				continue
			}
			b := kb[kk]
			m.after.ids[r.id(a)] = r.id(b)
			m.res.Matched = append(m.res.Matched, MatchedResource{Kind: r.kind, Name: r.nameOf(a), Before: r.id(b), After: r.id(a), By: k.by})
			matched[a], matched[b] = true, true
		}
		leftA = slices.DeleteFunc(leftA, func(x *T) bool { return matched[x] })
		leftB = slices.DeleteFunc(leftB, func(x *T) bool { return matched[x] })
	}
	for _, l := range []struct {
		side string
		xs   []*T
	}{{"before", leftB}, {"after", leftA}} {
		for _, x := range l.xs {
			m.res.NotMatched = append(m.res.NotMatched, UnmatchedResource{Side: l.side, Kind: r.kind, ID: r.id(x), Name: r.nameOf(x)})
		}
	}
}

// uniqueKeys maps each key that names exactly one of xs to it.
func uniqueKeys[T any](xs []*T, s *side, key func(*side, *T) string) map[string]*T {
	out := map[string]*T{}
	dup := map[string]bool{}
	for _, x := range xs {
		k := key(s, x)
		if k == "" || dup[k] {
			continue
		}
		if out[k] != nil {
			delete(out, k)
			dup[k] = true
			continue
		}
		out[k] = x
	}
	return out
}

// withIDs is a deep copy of t in which every string equal to an ID in ids is replaced by the
// ID it maps to. Walking every exported field, rather than the references each kind is
// known to hold, rewrites the references of kinds and fields added later too (IDs carry
// their kind's prefix, so an ID never equals anything but a reference to it).
func withIDs(t *model.Topology, ids map[string]string) *model.Topology {
	out := new(model.Topology)
	copyWithIDs(reflect.ValueOf(out).Elem(), reflect.ValueOf(t).Elem(), ids)
	return out
}

func copyWithIDs(dst, src reflect.Value, ids map[string]string) {
	switch src.Kind() {
	case reflect.Pointer:
		if !src.IsNil() {
			p := reflect.New(src.Type().Elem())
			copyWithIDs(p.Elem(), src.Elem(), ids)
			dst.Set(p)
		}
	case reflect.Slice:
		if !src.IsNil() {
			s := reflect.MakeSlice(src.Type(), src.Len(), src.Len())
			for i := range src.Len() {
				copyWithIDs(s.Index(i), src.Index(i), ids)
			}
			dst.Set(s)
		}
	case reflect.Array:
		for i := range src.Len() {
			copyWithIDs(dst.Index(i), src.Index(i), ids)
		}
	case reflect.Map:
		if !src.IsNil() {
			mp := reflect.MakeMapWithSize(src.Type(), src.Len())
			for it := src.MapRange(); it.Next(); {
				k, v := reflect.New(src.Type().Key()).Elem(), reflect.New(src.Type().Elem()).Elem()
				copyWithIDs(k, it.Key(), ids)
				copyWithIDs(v, it.Value(), ids)
				mp.SetMapIndex(k, v)
			}
			dst.Set(mp)
		}
	case reflect.Struct:
		dst.Set(src) // values with unexported fields (netip.Addr, netip.Prefix) are copied whole
		for i := range src.NumField() {
			if src.Type().Field(i).IsExported() {
				copyWithIDs(dst.Field(i), src.Field(i), ids)
			}
		}
	case reflect.String:
		if to, ok := ids[src.String()]; ok {
			dst.SetString(to)
		} else {
			dst.Set(src)
		}
	default:
		dst.Set(src)
	}
}

// writeText says, before the diff, how many resources were matched by another key than their
// ID and which could not be matched at all; nothing when IDs matched everything they could.
func (m *Matching) writeText(w io.Writer) {
	if m == nil || len(m.Matched) == 0 {
		return
	}
	count := map[string]int{}
	var bys []string
	for _, x := range m.Matched {
		if count[x.By] == 0 {
			bys = append(bys, x.By)
		}
		count[x.By]++
	}
	slices.SortStableFunc(bys, func(x, y string) int { return cmp.Compare(count[y], count[x]) })
	parts := make([]string, len(bys))
	for i, b := range bys {
		parts[i] = fmt.Sprintf("%s %d", b, count[b])
	}
	fmt.Fprintf(w, "IDs differ: %d resource(s) matched by Name tag or CIDR instead of ID, %d by ID; shown below with the before IDs.\n",
		len(m.Matched), m.ByID)
	fmt.Fprintf(w, "  matched by %s\n", strings.Join(parts, ", "))
	if len(m.NotMatched) > 0 {
		fmt.Fprintf(w, "%d resource(s) could not be matched (compared as removed and added):\n", len(m.NotMatched))
		for _, u := range m.NotMatched {
			fmt.Fprintf(w, "  %s only: %s\n", u.Side, u)
		}
	}
	fmt.Fprintln(w)
}
