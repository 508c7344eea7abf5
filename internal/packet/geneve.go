package packet

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// GENEVE (RFC 8926), as a Gateway Load Balancer speaks it to its targets (spec §13.9): UDP
// port 6081, version 0, protocol type 0x0800 (IPv4 inner) or 0x86DD, and AWS's three options
// of class 0x0108: the GWLB endpoint ID (type 1, 8 bytes), the attachment ID (type 2, 8
// bytes) and the flow cookie (type 3, 4 bytes). The simulator puts the header in the payload
// of the outer UDP packet; live mode decodes what a target sends back with DecodeGENEVE.
//
//	 0                   1                   2                   3
//	|Ver|  Opt Len  |O|C|    Rsvd.  |          Protocol Type        |
//	|        Virtual Network Identifier (VNI)       |    Reserved   |
//	|                    Variable-Length Options                    |
//
// Each option: class (16 bits), C bit and type (8), 3 reserved bits and the data length in
// 4-byte words (5), then the data.

// GENEVE constants.
const (
	GENEVEPort                = 6081
	GENEVEHeaderLen           = 8
	GENEVEClassAWS            = 0x0108
	GENEVEProtoIPv4           = 0x0800
	GENEVEProtoIPv6           = 0x86DD
	GENEVEOptEndpoint   uint8 = 1 // GWLB endpoint ID, 8 bytes
	GENEVEOptAttachment uint8 = 2 // attachment ID, 8 bytes
	GENEVEOptFlowCookie uint8 = 3 // flow cookie, 4 bytes
	// GWLBOverhead is what a GWLB adds around the inner packet: outer IPv4 (20), UDP (8),
	// GENEVE header (8) and AWS's options (32), §13.9.
	GWLBOverhead = 20 + 8 + GENEVEHeaderLen + 32
)

// GENEVEOption is one option TLV. Data's length is a multiple of 4, at most 124 bytes.
type GENEVEOption struct {
	Class uint16
	Type  uint8 // the high bit is the critical bit
	Data  []byte
}

// GENEVE is a GENEVE header with its options.
type GENEVE struct {
	Version  uint8 // 0
	OAM      bool
	Critical bool
	Protocol uint16
	VNI      uint32 // 24 bits
	Options  []GENEVEOption
}

// AWSGENEVE is the header a GWLB puts on an IPv4 packet to a target (§13.9).
func AWSGENEVE(endpointID, attachmentID uint64, cookie uint32) GENEVE {
	var ep, att [8]byte
	var ck [4]byte
	binary.BigEndian.PutUint64(ep[:], endpointID)
	binary.BigEndian.PutUint64(att[:], attachmentID)
	binary.BigEndian.PutUint32(ck[:], cookie)
	return GENEVE{Protocol: GENEVEProtoIPv4, Options: []GENEVEOption{
		{Class: GENEVEClassAWS, Type: GENEVEOptEndpoint, Data: ep[:]},
		{Class: GENEVEClassAWS, Type: GENEVEOptAttachment, Data: att[:]},
		{Class: GENEVEClassAWS, Type: GENEVEOptFlowCookie, Data: ck[:]},
	}}
}

// Option returns the data of the first option of a class and type, or nil.
func (g *GENEVE) Option(class uint16, typ uint8) []byte {
	for _, o := range g.Options {
		if o.Class == class && o.Type&0x7f == typ&0x7f {
			return o.Data
		}
	}
	return nil
}

// HasAWSOptions reports whether the header carries the three options a GWLB needs back
// (§13.9: returns without them are dropped).
func (g *GENEVE) HasAWSOptions() bool {
	return len(g.Option(GENEVEClassAWS, GENEVEOptEndpoint)) == 8 &&
		len(g.Option(GENEVEClassAWS, GENEVEOptAttachment)) == 8 &&
		len(g.Option(GENEVEClassAWS, GENEVEOptFlowCookie)) == 4
}

// Len is the header's length on the wire, options included.
func (g *GENEVE) Len() int {
	n := GENEVEHeaderLen
	for _, o := range g.Options {
		n += 4 + len(o.Data)
	}
	return n
}

// AppendTo appends the header's wire form to b. It returns an error when an option's data is
// not a multiple of 4 bytes or longer than 124, or the options exceed 252 bytes.
func (g *GENEVE) AppendTo(b []byte) ([]byte, error) {
	optLen := g.Len() - GENEVEHeaderLen
	if optLen > 63*4 {
		return b, fmt.Errorf("geneve: %d bytes of options, more than 252", optLen)
	}
	var flags byte
	if g.OAM {
		flags |= 0x80
	}
	if g.Critical {
		flags |= 0x40
	}
	b = append(b, g.Version<<6|byte(optLen/4), flags)
	b = binary.BigEndian.AppendUint16(b, g.Protocol)
	b = append(b, byte(g.VNI>>16), byte(g.VNI>>8), byte(g.VNI), 0)
	for _, o := range g.Options {
		if len(o.Data)%4 != 0 || len(o.Data) > 31*4 {
			return b, fmt.Errorf("geneve: option class %#04x type %d has %d bytes of data, not a multiple of 4 up to 124", o.Class, o.Type, len(o.Data))
		}
		b = binary.BigEndian.AppendUint16(b, o.Class)
		b = append(b, o.Type, byte(len(o.Data)/4))
		b = append(b, o.Data...)
	}
	return b, nil
}

var errGENEVEShort = errors.New("geneve: truncated header")

// DecodeGENEVE parses a GENEVE header (the payload of a UDP datagram to port 6081) and
// returns it with what follows it, the inner packet. Options' data alias b.
func DecodeGENEVE(b []byte) (GENEVE, []byte, error) {
	var g GENEVE
	if len(b) < GENEVEHeaderLen {
		return g, nil, errGENEVEShort
	}
	g.Version = b[0] >> 6
	if g.Version != 0 {
		return g, nil, fmt.Errorf("geneve: version %d, want 0", g.Version)
	}
	optLen := int(b[0]&0x3f) * 4
	g.OAM, g.Critical = b[1]&0x80 != 0, b[1]&0x40 != 0
	g.Protocol = binary.BigEndian.Uint16(b[2:])
	g.VNI = uint32(b[4])<<16 | uint32(b[5])<<8 | uint32(b[6])
	if len(b) < GENEVEHeaderLen+optLen {
		return g, nil, errGENEVEShort
	}
	opts := b[GENEVEHeaderLen : GENEVEHeaderLen+optLen]
	for len(opts) > 0 {
		if len(opts) < 4 {
			return g, nil, errors.New("geneve: truncated option header")
		}
		n := int(opts[3]&0x1f) * 4
		if len(opts) < 4+n {
			return g, nil, errors.New("geneve: option data runs past the options")
		}
		g.Options = append(g.Options, GENEVEOption{Class: binary.BigEndian.Uint16(opts), Type: opts[2], Data: opts[4 : 4+n : 4+n]})
		opts = opts[4+n:]
	}
	return g, b[GENEVEHeaderLen+optLen:], nil
}

// EncapsulateGENEVE is outer made the UDP datagram that carries inner in GENEVE with header g:
// what a GWLB sends a target and the target sends back (§13.9). The caller sets the outer
// addresses and ports (6081 towards the target); the payload becomes the header and the
// inner packet's wire form.
func EncapsulateGENEVE(outer Packet, g GENEVE, inner *Packet) (Packet, error) {
	b := make([]byte, 0, g.Len()+inner.Len())
	b, err := g.AppendTo(b)
	if err != nil {
		return outer, err
	}
	outer.Proto = ProtoUDP
	outer.Payload = inner.AppendTo(b)
	outer.PayloadLen = 0
	return outer, nil
}
