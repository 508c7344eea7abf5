package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/vpclab/vpclab/internal/resident"
)

// newResidentServe is the resident itself, which start runs in the background.
func newResidentServe(g *globals) *cobra.Command {
	var idle time.Duration
	c := &cobra.Command{
		Use:    "serve -t ABSPATH --idle DURATION",
		Short:  "Be the resident for a topology (vpclab resident start runs it)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			abs, err := g.residentTopology()
			if err != nil {
				return err
			}
			dir, err := g.residentDir(true)
			if err != nil {
				return err
			}
			defer os.Remove(resident.LogPath(dir, abs)) // what it said while starting, start has shown
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return g.serve(ctx, dir, abs, idle, nil)
		},
	}
	c.Flags().DurationVar(&idle, "idle", 30*time.Minute, "exit after this long without a question")
	return c
}

// serve loads the topology at abs and answers questions about it on its socket in dir
// until ctx ends, it is stopped or idle; ready, if not nil, is called once it listens.
func (g *globals) serve(ctx context.Context, dir, abs string, idle time.Duration, ready func()) error {
	e := &estate{abs: abs}
	h := e.fresh()
	if h.probs.HasErrors() {
		return &exitError{code: ExitBadInput, msg: problemsText("the topology", h.probs)}
	}
	if w := len(h.probs.Warnings()) + len(h.warns); w > 0 {
		fmt.Fprintf(g.stderr, "vpclab: %d warning(s) loading %s; 'vpclab validate -t %s' lists them\n", w, abs, abs)
	}
	s := &resident.Server{Dir: dir, Topology: abs, Idle: idle, Handle: e.answer,
		Info: func(i *resident.Info) {
			e.mu.Lock()
			i.LoadTime, i.Reloads = e.loadTime, e.reloads
			e.mu.Unlock()
		}}
	if err := s.Serve(ctx, ready); err != nil {
		return badInput("%v", err)
	}
	return nil
}

// answer runs one question against the estate, as the caller would have run it: with the
// caller's arguments, directory and environment, a fresh command tree and fresh simulation
// state, writing to the caller's streams. A topology that no longer loads without errors
// is not answered here: the caller loads it itself and says what is wrong, as always.
func (e *estate) answer(ctx context.Context, req *resident.Request, stdout, stderr io.Writer) int {
	h := e.fresh()
	if h.probs.HasErrors() {
		return resident.Unserved
	}
	env := req.Env
	o := runOptions{dir: req.Dir, getenv: func(k string) string { return env[k] },
		src: &view{e: e, h: h}, stderrTTY: req.StderrTTY}
	return execute(ctx, req.Args, stdout, stderr, o)
}
