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
