package snapshot

// Hand-written decoders for the answers that are most of a large snapshot's bytes:
// describe-instances (three quarters of them) and describe-network-interfaces. The
// reflective decoder spends most of its time looking up each member name in a map, twice
// when the name is not a field (exactly, then folded), and most members of these answers are
// not fields. These decoders match names against a few fields by an ASCII case fold, as
// decodeOpts does, and skip the rest with a byte lexer (lexer.go).
//
// They only ever decode what they are sure of. Whatever else they meet (a type error, a
// syntax error, a repeated name, an escape in a string kept) makes them give up, and
// decodeElem decodes the element again reflectively, which decides and reports as before:
// every message stays the reflective decoder's. fast_test.go checks that both agree.

// fastDecoding turns the hand-written decoders on; tests turn them off to compare.
var fastDecoding = true

// fastDecode decodes buf into out with a hand-written decoder, and reports whether it could;
// false also when T has none. out is partly written when it could not.
func fastDecode[T any](buf []byte, out *T) (ok bool) {
	if !fastDecoding {
		return false
	}
	switch any(out).(type) {
	case *awsReservation, *awsENI:
	default:
		return false
	}
	defer func() {
		if r := recover(); r != nil {
			if _, gaveUp := r.(giveUp); !gaveUp {
				panic(r)
			}
			ok = false
		}
	}()
	p := lexers.Get().(*lexer)
	p.b, p.i = buf, 0
	defer func() {
		p.b = nil
		lexers.Put(p)
	}()
	switch v := any(out).(type) {
	case *awsReservation:
		p.reservation(v)
	case *awsENI:
		p.eni(v)
	}
	p.end()
	return true
}

// field is the index in names of the field a member name matches, or -1. Names match as
// decodeOpts matches them: exactly or by a case fold, delimiters included (the lexer only
// gives plain ASCII names, and no two fields of a type fold alike). A field met twice makes
// the decoder give up: the reflective decoder merges repeated members.
func (p *lexer) field(name []byte, names []string, seen *uint32) int {
	for k, f := range names {
		if len(f) == len(name) && asciiEqualFold(name, f) {
			if *seen&(1<<k) != 0 {
				p.fail()
			}
			*seen |= 1 << k
			return k
		}
	}
	return -1
}

func asciiEqualFold(b []byte, s string) bool {
	for i, c := range b {
		d := s[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		if 'a' <= d && d <= 'z' {
			d -= 'a' - 'A'
		}
		if c != d {
			return false
		}
	}
	return true
}

// array reads an array of T, each element by dec; null is nil and [] an empty slice, as the
// reflective decoder has them.
func array[T any](p *lexer, dec func(p *lexer, v *T)) []T {
	if !p.open('[') {
		return nil
	}
	out := []T{}
	for first := true; p.elem(first); first = false {
		var zero T
		out = append(out, zero)
		dec(p, &out[len(out)-1]) // in place: a variable passed to dec would be allocated
	}
	return out
}

// members is where the reading of an object is: whether a member was read, and which
// fields were.
type members struct {
	started bool
	seen    uint32
}

// field moves to the next member of an object whose brace was consumed that is one of the
// fields names, skipping the others, and returns its index; -1 at the closing brace.
func (p *lexer) member(m *members, names []string) int {
	for {
		name, ok := p.name(!m.started)
		m.started = true
		if !ok {
			return -1
		}
		if k := p.field(name, names, &m.seen); k >= 0 {
			return k
		}
		p.skip(0)
	}
}

func (p *lexer) time(t *awsTime) {
	if p.null() {
		return
	}
	*t = parseAWSTime(p.str())
}

var reservationFields = []string{"Instances"}

func (p *lexer) reservation(r *awsReservation) {
	if !p.open('{') {
		return
	}
	for m := (members{}); p.member(&m, reservationFields) >= 0; {
		r.Instances = array(p, (*lexer).instance)
	}
}

var instanceFields = []string{"InstanceId", "State", "LaunchTime", "PublicIpAddress", "NetworkInterfaces", "Tags", "TagSet"}

var stateFields = []string{"Name"}

func (p *lexer) instance(in *awsInstance) {
	if !p.open('{') {
		return
	}
	for m := (members{}); ; {
		switch p.member(&m, instanceFields) {
		case -1:
			return
		case 0:
			in.InstanceId = p.str()
		case 1:
			if p.open('{') {
				for m := (members{}); p.member(&m, stateFields) >= 0; {
					in.State.Name = p.str()
				}
			}
		case 2:
			p.time(&in.LaunchTime)
		case 3:
			in.PublicIpAddress = p.str()
		case 4:
			in.NetworkInterfaces = array(p, (*lexer).eni)
		case 5:
			in.Tags = array(p, (*lexer).tag)
		case 6:
			in.TagSet = array(p, (*lexer).tag)
		}
	}
}

var tagFields = []string{"Key", "Value"}

func (p *lexer) tag(t *awsTag) {
	if !p.open('{') {
		return
	}
	for m := (members{}); ; {
		switch p.member(&m, tagFields) {
		case -1:
			return
		case 0:
			t.Key = p.str()
		case 1:
			t.Value = p.str()
		}
	}
}

var eniFields = []string{"NetworkInterfaceId", "VpcId", "SubnetId", "InterfaceType", "PrivateIpAddress",
	"Association", "PrivateIpAddresses", "Groups", "SourceDestCheck", "MacAddress", "Attachment",
	"Description", "RequesterManaged", "Tags", "TagSet"}

func (p *lexer) eni(e *awsENI) {
	if !p.open('{') {
		return
	}
	for m := (members{}); ; {
		switch p.member(&m, eniFields) {
		case -1:
			return
		case 0:
			e.NetworkInterfaceId = p.str()
		case 1:
			e.VpcId = p.str()
		case 2:
			e.SubnetId = p.str()
		case 3:
			e.InterfaceType = p.str()
		case 4:
			e.PrivateIpAddress = p.str()
		case 5:
			e.Association = p.association()
		case 6:
			e.PrivateIpAddresses = array(p, (*lexer).privateIP)
		case 7:
			e.Groups = array(p, (*lexer).group)
		case 8:
			e.SourceDestCheck = p.optBool()
		case 9:
			e.MacAddress = p.str()
		case 10:
			e.Attachment = p.attachment()
		case 11:
			e.Description = p.str()
		case 12:
			e.RequesterManaged = p.boolean()
		case 13:
			e.Tags = array(p, (*lexer).tag)
		case 14:
			e.TagSet = array(p, (*lexer).tag)
		}
	}
}

var groupFields = []string{"GroupId"}

func (p *lexer) group(g *struct{ GroupId string }) {
	if p.open('{') {
		for m := (members{}); p.member(&m, groupFields) >= 0; {
			g.GroupId = p.str()
		}
	}
}

var associationFields = []string{"PublicIp"}

func (p *lexer) association() *awsAssociation {
	if p.null() {
		return nil
	}
	a := &awsAssociation{}
	if p.open('{') {
		for m := (members{}); p.member(&m, associationFields) >= 0; {
			a.PublicIp = p.str()
		}
	}
	return a
}

var privateIPFields = []string{"PrivateIpAddress", "Primary", "Association"}

func (p *lexer) privateIP(ip *awsPrivateIP) {
	if !p.open('{') {
		return
	}
	for m := (members{}); ; {
		switch p.member(&m, privateIPFields) {
		case -1:
			return
		case 0:
			ip.PrivateIpAddress = p.str()
		case 1:
			ip.Primary = p.boolean()
		case 2:
			ip.Association = p.association()
		}
	}
}

var attachmentFields = []string{"InstanceId", "DeviceIndex", "AttachTime"}

func (p *lexer) attachment() *awsAttachment {
	if p.null() {
		return nil
	}
	a := &awsAttachment{}
	if !p.open('{') {
		return a
	}
	for m := (members{}); ; {
		switch p.member(&m, attachmentFields) {
		case -1:
			return a
		case 0:
			a.InstanceId = p.str()
		case 1:
			a.DeviceIndex = p.optInt()
		case 2:
			p.time(&a.AttachTime)
		}
	}
}
