package model

import (
	"crypto/sha256"
	"encoding/hex"
)

// DeriveID makes a stable AWS-shaped ID ("<prefix>-" and 17 hex characters, §9.1) from a
// name, so labs written with names get the same IDs on every run and outputs diff cleanly.
// The seed distinguishes namespaces (for example the lab's VPC name) so equal names in
// different scopes do not collide.
func DeriveID(prefix, seed string) string {
	sum := sha256.Sum256([]byte(prefix + "\x00" + seed))
	return prefix + "-" + hex.EncodeToString(sum[:])[:17]
}

// DeriveUUID makes a stable UUID-shaped ID from a seed, for the resources whose AWS IDs are
// bare UUIDs (Direct Connect gateways and their associations, §16.1).
func DeriveUUID(seed string) string {
	sum := sha256.Sum256([]byte("uuid\x00" + seed))
	h := hex.EncodeToString(sum[:16])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
