// Package collect snapshots a real AWS account into the directory of `aws ec2 describe-*`
// JSON answers that internal/topology/snapshot loads: `vpclab snapshot` is its command.
//
// For each region it asks STS who the caller is, then calls every describe-* operation the
// loader recognises (EC2, the transit gateway route tables' per-table searches, Direct
// Connect), through the AWS SDK for Go v2 with the standard credential chain, retryer and
// paginators. Each answer is written to OUTDIR/<account>/<region>/<describe-name>.json as
// the AWS CLI would print it (encode.go), its objects sorted by ID where AWS does not fix
// the order, so that two snapshots of the same account diff cleanly.
//
// A region that fails (no credentials for it, access denied, unreachable) is reported and
// the others are still written; an operation the endpoint does not implement (a local
// emulator, an older partition) is a warning naming it. The package has no dependency on the
// command line: Snapshot takes its options and writers and returns what happened.
package collect

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/directconnect"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/networkfirewall"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Options say what to collect and where to report.
type Options struct {
	// Profile is a named profile of the shared config and credentials files; "" uses the
	// default chain (environment, AWS_PROFILE, default profile, SSO, instance role...).
	Profile string
	// Regions to collect, each into its own folder; empty: the profile's or AWS_REGION.
	Regions []string
	// EndpointURL sends every client to this endpoint (a local emulator); "" leaves the
	// SDK's own choice, which honours AWS_ENDPOINT_URL.
	EndpointURL string
	// Progress gets one line per region and operation; nil is quiet.
	Progress io.Writer
	// Problems gets the warnings and errors as they happen; nil discards them (they are
	// in the Result too).
	Problems io.Writer
}

// Result is what a snapshot did, region by region, in the order asked.
type Result struct {
	Regions []RegionResult
}

// RegionResult is one region's outcome.
type RegionResult struct {
	Region  string
	Account string // "" when the region failed before STS answered
	Dir     string // where its answers were written; "" when it failed entirely
	Files   int    // answer files written
	// Failed is why the region failed entirely (nothing written for it), nil otherwise.
	Failed error
	// Warnings name the operations the endpoint does not implement; Errors the operations
	// that failed while the rest of the region was written.
	Warnings, Errors []string
}

// FailedRegions lists the regions that failed entirely.
func (r *Result) FailedRegions() []string {
	var out []string
	for _, rr := range r.Regions {
		if rr.Failed != nil {
			out = append(out, rr.Region)
		}
	}
	return out
}

// Snapshot collects the account into outDir. The error is for what stops every region
// (bad options, an unreadable profile); what fails in one region is in its RegionResult.
func Snapshot(ctx context.Context, outDir string, o Options) (*Result, error) {
	if outDir == "" {
		return nil, errors.New("no output directory")
	}
	var opts []func(*config.LoadOptions) error
	if o.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(o.Profile))
	}
	base, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("cannot load the AWS configuration: %w", err)
	}
	base.APIOptions = append(base.APIOptions, addEmulatorCheck)
	if o.EndpointURL != "" {
		base.BaseEndpoint = aws.String(o.EndpointURL)
	}
	regions := o.Regions
	if len(regions) == 0 {
		if base.Region == "" {
			return nil, errors.New("no region: pass --region, or set AWS_REGION or the profile's region")
		}
		regions = []string{base.Region}
	}
	res := &Result{}
	seen := map[string]bool{}
	for _, region := range regions {
		if seen[region] {
			continue
		}
		seen[region] = true
		r := &regionRun{o: &o, region: region, out: outDir}
		r.run(ctx, base)
		res.Regions = append(res.Regions, r.res)
	}
	return res, nil
}

// regionRun collects one region.
type regionRun struct {
	o      *Options
	region string
	out    string
	res    RegionResult
	ec2    *ec2.Client
	dx     *directconnect.Client
	nfw    *networkfirewall.Client
	elb    *elasticloadbalancingv2.Client
	files  []answerFile
	// What later operations ask about: the transit gateway route tables and Direct
	// Connect gateways found (nil when their listing failed).
	tgwTables, dxGateways []string
	dxListed              bool // the Direct Connect gateways were listed
}

// errSkipped is an operation's answer when what it asks about could not be listed (that
// listing's failure is reported): it writes nothing and says nothing more.
var errSkipped = errors.New("skipped")

// answerFile is one file to write: name without .json, its top-level members, and whether
// its keys are lowerCamelCase (Direct Connect).
type answerFile struct {
	name   string
	fields []field
	lower  bool
}

func (r *regionRun) progress(format string, args ...any) {
	if r.o.Progress != nil {
		fmt.Fprintf(r.o.Progress, "%s: %s\n", r.where(), fmt.Sprintf(format, args...))
	}
}

func (r *regionRun) where() string {
	if r.res.Account != "" {
		return r.res.Account + "/" + r.region
	}
	return r.region
}

func (r *regionRun) warn(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	r.res.Warnings = append(r.res.Warnings, msg)
	if r.o.Problems != nil {
		fmt.Fprintf(r.o.Problems, "warning: %s: %s\n", r.where(), msg)
	}
}

func (r *regionRun) error(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	r.res.Errors = append(r.res.Errors, msg)
	if r.o.Problems != nil {
		fmt.Fprintf(r.o.Problems, "error: %s: %s\n", r.where(), msg)
	}
}

func (r *regionRun) fail(err error) {
	r.res.Failed = err
	if r.o.Problems != nil {
		fmt.Fprintf(r.o.Problems, "error: %s: region failed, nothing written for it: %v\n", r.where(), err)
	}
}

func (r *regionRun) run(ctx context.Context, base aws.Config) {
	r.res.Region = r.region
	cfg := base.Copy()
	cfg.Region = r.region
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		r.fail(fmt.Errorf("sts get-caller-identity: %w", err))
		return
	}
	r.res.Account = aws.ToString(id.Account)
	if r.res.Account == "" || strings.ContainsAny(r.res.Account, `/\`) || r.res.Account == "." || r.res.Account == ".." {
		r.fail(fmt.Errorf("sts get-caller-identity answered no usable account (%q)", r.res.Account))
		return
	}
	r.ec2 = ec2.NewFromConfig(cfg)
	r.dx = directconnect.NewFromConfig(cfg)
	r.nfw = networkfirewall.NewFromConfig(cfg)
	r.elb = elasticloadbalancingv2.NewFromConfig(cfg)
	for i, op := range r.operations() {
		files, count, err := op.run(ctx)
		switch {
		case err == nil:
			r.files = append(r.files, files...)
			r.progress("%s: %s", op.name, count)
		case errors.Is(err, errSkipped):
			r.progress("%s: skipped (the gateways it asks about could not be listed)", op.name)
		case ctx.Err() != nil:
			r.fail(fmt.Errorf("%s: %w", op.name, ctx.Err()))
			return
		case notImplemented(err):
			r.warn("%s is not implemented by the endpoint (%v); the snapshot has no %s answer", op.name, short(err), op.key)
		case i == 0:
			// The first operation fails the region: nothing it could write is worth having.
			r.fail(fmt.Errorf("%s: %w", op.name, err))
			return
		default:
			r.error("%s: %v; the snapshot has no %s answer", op.name, err, op.key)
		}
	}
	if err := r.write(); err != nil {
		r.fail(err)
	}
}

// write writes the region's answers, each file whole or not at all, and then removes the
// answer files an earlier snapshot left in the folder that this one did not write (a
// deleted route table's searches, an operation that failed this time): the loader reads
// every *.json, and a stale answer would be read as current.
func (r *regionRun) write() error {
	dir := filepath.Join(r.out, r.res.Account, r.region)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("cannot create %s: %w", dir, err)
	}
	written := map[string]bool{}
	for _, f := range r.files {
		data, err := encodeAnswer(f.fields, f.lower)
		if err != nil {
			return fmt.Errorf("%s: cannot write the answer: %w", f.name, err)
		}
		name := f.name + ".json"
		if err := writeFile(filepath.Join(dir, name), data); err != nil {
			return err
		}
		written[name] = true
	}
	r.res.Dir, r.res.Files = dir, len(r.files)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("cannot read %s: %w", dir, err)
	}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || written[name] || !strings.HasSuffix(name, ".json") || !ours(name) {
			continue
		}
		if err := os.Remove(filepath.Join(dir, name)); err != nil {
			return fmt.Errorf("cannot remove the stale answer %s: %w", filepath.Join(dir, name), err)
		}
		r.progress("removed %s, which this snapshot did not write", name)
	}
	r.progress("%d file(s) written to %s", r.res.Files, dir)
	return nil
}

// ours says whether a file name is one this package writes.
func ours(name string) bool {
	return slices.ContainsFunc([]string{"describe-", "search-transit-gateway-routes", "get-transit-gateway-"},
		func(p string) bool { return strings.HasPrefix(name, p) })
}

// writeFile writes data to path through a temporary file in the same folder, so an
// interrupted snapshot never leaves half an answer.
func writeFile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".snapshot-*.tmp")
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	return nil
}
