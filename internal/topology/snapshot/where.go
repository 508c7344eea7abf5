package snapshot

import (
	"net/netip"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/vpclab/vpclab/internal/model"
)

// Where a file sits in a multi-account, multi-region snapshot. Collectors write one folder
// per account and region: aws_configs/<account>/<region>/*.json, or
// aws_configs/accounts/<account>/<region>/*.json (Batfish), or a region alone. What the JSON
// does not say about an object's account or region, the folders say.

// location is the account and region a file's folders name; either may be empty.
type location struct{ account, region string }

var (
	accountPattern = regexp.MustCompile(`^[0-9]{12}$`)
	regionPattern  = regexp.MustCompile(`^[a-z]{2}(?:-[a-z]+)+-[0-9]+$`)
	// azRegion is the region an Availability Zone name starts with: us-east-2c, and
	// us-east-1-bos-1a for a Local Zone, are in us-east-1... us-east-2.
	azRegion = regexp.MustCompile(`^[a-z]{2}(?:-[a-z]+)+-[0-9]+`)
	// tableID finds a transit gateway route table ID in a file or folder name.
	tableID = regexp.MustCompile(`tgw-rtb-[0-9A-Za-z]+`)
)

// locate reads the account and region from the folders of name (a path relative to the
// snapshot directory): a folder of twelve digits is an account, one like us-east-1 a region;
// the deepest of each wins.
func locate(name string) location {
	var loc location
	for _, part := range strings.Split(filepath.ToSlash(filepath.Dir(name)), "/") {
		switch {
		case accountPattern.MatchString(part):
			loc.account = part
		case regionPattern.MatchString(part):
			loc.region = part
		}
	}
	return loc
}

// where is the location of the file src names. A snapshot given as a single file has none:
// its path is the user's, not a layout.
func (l *loader) where(src model.Source) location {
	if l.single {
		return location{}
	}
	loc, ok := l.locations[src.File]
	if !ok {
		if l.locations == nil {
			l.locations = map[string]location{}
		}
		loc = locate(src.File)
		l.locations[src.File] = loc
	}
	return loc
}

// regionOfAZ is the region of an Availability Zone name, or "".
func regionOfAZ(az string) string {
	return azRegion.FindString(strings.TrimSpace(az))
}

// arnParts returns the region and account of an ARN (arn:aws:ec2:us-east-2:123456789012:...).
func arnParts(arn string) (region, account string) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return "", ""
	}
	return parts[3], parts[4]
}

// tableOfName is the transit gateway route table a per-table file is for: the ID in its
// name, else in the nearest folder's name that holds one. "" when none does.
func tableOfName(name string) model.TGWRouteTableID {
	parts := strings.Split(filepath.ToSlash(name), "/")
	for i := len(parts) - 1; i >= 0; i-- {
		if id := tableID.FindString(parts[i]); id != "" {
			return model.TGWRouteTableID(id)
		}
	}
	return ""
}

// fill sets *dst to v when *dst is empty.
func fill(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}

// anyPrefix parses an IPv4 or IPv6 CIDR and masks it. A missing or bad value is an error
// naming the path and the value.
func (l *loader) anyPrefix(s string, src model.Source) (netip.Prefix, bool) {
	if s == "" {
		l.probs.Errorf(src, "missing CIDR")
		return netip.Prefix{}, false
	}
	p, err := netip.ParsePrefix(strings.TrimSpace(s))
	if err != nil {
		l.probs.Errorf(src, "invalid CIDR %q", s)
		return netip.Prefix{}, false
	}
	return p.Masked(), true
}
