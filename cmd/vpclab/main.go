// Command vpclab is the AWS VPC dataplane as software. See 'vpclab --help'.
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/vpclab/vpclab/internal/cli"
)

func main() {
	setGCPolicy(os.Getenv)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
