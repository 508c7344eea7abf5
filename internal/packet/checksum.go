package packet

import "encoding/binary"

// The Internet checksum (RFC 1071) is the ones' complement of the ones' complement sum of the
// data as 16-bit big-endian words. The helpers below keep an unfolded running sum in a uint64
// (adding 32-bit words is fine: 2^16 ≡ 1 mod 0xffff, so folding later gives the same result),
// fold it to 16 bits and complement it once at the end.

// sum adds b to the running sum s. Only the last chunk of a checksummed range may have an odd
// length; its last byte is the high byte of a zero-padded word.
func sum(b []byte, s uint64) uint64 {
	for len(b) >= 8 {
		s += uint64(binary.BigEndian.Uint32(b)) + uint64(binary.BigEndian.Uint32(b[4:]))
		b = b[8:]
	}
	for len(b) >= 2 {
		s += uint64(binary.BigEndian.Uint16(b))
		b = b[2:]
	}
	if len(b) == 1 {
		s += uint64(b[0]) << 8
	}
	return s
}

// fold folds a running sum to 16 bits.
func fold(s uint64) uint16 {
	for s > 0xffff {
		s = s>>16 + s&0xffff
	}
	return uint16(s)
}

// checksum is the Internet checksum of a running sum: the value to store in a header.
func checksum(s uint64) uint16 { return ^fold(s) }

// pseudoSum is the sum of the IPv4 pseudo-header TCP and UDP checksums cover.
func pseudoSum(src, dst [4]byte, proto uint8, l4len int) uint64 {
	return uint64(binary.BigEndian.Uint32(src[:])) + uint64(binary.BigEndian.Uint32(dst[:])) +
		uint64(proto) + uint64(l4len)
}

// Payload bytes for packets that carry only a size (Payload nil, PayloadLen n) are generated:
// byte i is i mod 256. That is what iputils ping puts after its 16-byte timestamp (0x10, 0x11,
// ...), and it makes a generated ICMP error's payload continue its generated quote.
var patternBlock = func() (b [256]byte) {
	for i := range b {
		b[i] = byte(i)
	}
	return b
}()

var patternBlockSum = sum(patternBlock[:], 0)

// fillPattern writes the generated payload into b.
func fillPattern(b []byte) {
	for len(b) > 0 {
		b = b[copy(b, patternBlock[:]):]
	}
}

// patternSum is the running sum of n generated payload bytes, without generating them. The
// block has an even length, so whole blocks add up word-aligned.
func patternSum(n int) uint64 {
	return uint64(n/len(patternBlock))*patternBlockSum + sum(patternBlock[:n%len(patternBlock)], 0)
}

// writePayload writes p's payload into b (len(b) == p.DataLen()): the bytes, or generated ones.
func writePayload(b []byte, p *Packet) {
	if p.Payload != nil {
		copy(b, p.Payload)
		return
	}
	fillPattern(b)
}

// payloadSum is the running sum of p's payload.
func payloadSum(p *Packet) uint64 {
	if p.Payload != nil {
		return sum(p.Payload, 0)
	}
	return patternSum(p.PayloadLen)
}

// updateSum16 returns the checksum field value after a 16-bit word the checksum covers changed
// from old to new, by RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m').
func updateSum16(hc, old, new uint16) uint16 {
	return ^fold(uint64(^hc) + uint64(^old) + uint64(new))
}

// updateSum32 is updateSum16 for a changed 32-bit value (an address).
func updateSum32(hc uint16, old, new uint32) uint16 {
	return ^fold(uint64(^hc) + uint64(^uint16(old>>16)) + uint64(^uint16(old)) +
		uint64(uint16(new>>16)) + uint64(uint16(new)))
}
