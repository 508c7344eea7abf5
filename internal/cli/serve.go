package cli

import (
	"fmt"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/vpclab/vpclab/internal/gen"
	"github.com/vpclab/vpclab/internal/serve"
	"github.com/vpclab/vpclab/internal/topology"
)

// newServe is `vpclab serve`: the EC2 API on loopback, backed by the engine (issue 11).
func newServe(g *globals) *cobra.Command {
	var (
		listen, statePath, region, account, importPath string
		memory, verbose                                bool
		settle                                         time.Duration
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve an EC2 API that the AWS CLI, the SDKs and Terraform build labs with",
		Long: `Serve the EC2 Query API on a local address, so that 'aws ec2 create-vpc', boto3, the Go
SDK or 'terraform apply' build a lab in vpclab instead of an AWS account, with no
credentials needed. Every vpclab command then answers questions about the served lab:

  vpclab traceroute -t http://127.0.0.1:4566 i-0123... 10.0.1.55

and the EC2 Network Insights calls (create-network-insights-path,
start-network-insights-analysis) are answered by the same engine, in milliseconds.

Point a client at it with AWS_ENDPOINT_URL=http://127.0.0.1:4566 (any access key works).
Operations vpclab does not implement yet answer UnsupportedOperation; unknown ones
InvalidAction. The state is kept in --state, written durably before each reply; a second
server on the same file is refused. GET ` + serve.ExportPath + ` returns the lab as one
describe-* JSON document.

Exit status: 0 after a clean stop (Ctrl-C or SIGTERM), 2 when it cannot start.`,
		Example: `  vpclab serve
  AWS_ENDPOINT_URL=http://127.0.0.1:4566 aws ec2 create-vpc --cidr-block 10.0.0.0/16
  vpclab serve --listen 127.0.0.1:5000 --state lab.db --verbose
  vpclab serve --memory --seed 7
  vpclab serve --memory --import examples/east-west-nat/lab.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opt := serve.Options{Region: region, Account: account, Seed: g.seed, Settle: settle, Log: g.stderr, Verbose: verbose}
			if statePath == "" {
				statePath = defaultStatePath(g.getenv)
			}
			if !memory {
				st, err := openStore(g.path(statePath))
				if err != nil {
					return badInput("%v", err)
				}
				defer st.Close()
				opt.Store = st
			}
			s, err := serve.New(opt)
			if err != nil {
				return badInput("%s: %v", statePath, err)
			}
			defer s.Close()
			if importPath != "" {
				files, err := importLab(g.path(importPath))
				if err == nil {
					err = s.Import(importPath, files)
				}
				if err != nil {
					return badInput("--import: %v", err)
				}
				fmt.Fprintf(g.stderr, "vpclab serve: imported %s\n", importPath)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			where := "in memory only"
			if !memory {
				where = "state in " + statePath
			}
			err = serve.ListenAndServe(ctx, listen, s, func(a string) {
				fmt.Fprintf(g.stderr, "vpclab serve: EC2 API on http://%s (region %s, account %s, %s)\n", a, s.Region(), s.Account(), where)
			})
			if err != nil {
				return badInput("cannot serve on %s: %v", listen, err)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&listen, "listen", "127.0.0.1:4566", "address to listen on (the port LocalStack users point AWS_ENDPOINT_URL at)")
	f.StringVar(&statePath, "state", "", "the state file, kept durable across restarts (default $XDG_STATE_HOME/vpclab/serve.db, or ~/.local/state/vpclab/serve.db)")
	f.BoolVar(&memory, "memory", false, "keep the state in memory only: it is gone when the server stops")
	f.StringVar(&region, "region", "us-east-1", "the region the lab is in (availability zones, ARNs)")
	f.StringVar(&account, "account", "123456789012", "the account that owns every resource")
	f.DurationVar(&settle, "settle", 0, "how long NAT gateways and instances stay pending before they are available or running (0: at the next describe)")
	f.StringVar(&importPath, "import", "", "start with this lab: a YAML lab file or a describe-* snapshot directory (into an empty state)")
	f.BoolVar(&verbose, "verbose", false, "log every request's parameters, not only its action, status and duration")
	return cmd
}

// defaultStatePath is $XDG_STATE_HOME/vpclab/serve.db, or ~/.local/state/vpclab/serve.db.
func defaultStatePath(getenv func(string) string) string {
	dir := getenv("XDG_STATE_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "vpclab-serve.db"
		}
		dir = home + "/.local/state"
	}
	return dir + "/vpclab/serve.db"
}

// importLab reads a YAML lab or a snapshot directory as describe-* answers, for
// serve.Import: a lab is written as the snapshot it describes first (gen.WriteSnapshot).
func importLab(path string) (map[string][]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	dir := path
	if !st.IsDir() {
		t, probs := topology.Load(path)
		if probs.HasErrors() {
			return nil, fmt.Errorf("%s", problemsText(path, probs))
		}
		tmp, err := os.MkdirTemp("", "vpclab-import-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(tmp)
		if err := gen.WriteSnapshot(t, tmp); err != nil {
			return nil, err
		}
		dir = tmp
	}
	files := map[string][]byte{}
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.EqualFold(filepath.Ext(p), ".json") {
			return err
		}
		b, err := os.ReadFile(p)
		if rel, rerr := filepath.Rel(dir, p); rerr == nil && dir == path {
			p = filepath.Join(path, rel)
		} else {
			p = path + ": " + filepath.Base(p)
		}
		files[p] = b
		return err
	})
	return files, err
}
