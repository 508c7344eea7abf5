package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/vpclab/vpclab/internal/resident"
)

// residentCommands are the questions a resident answers: every command that reads a
// topology and asks it something. Live mode (up, ...), gen and resident itself never go
// through one.
var residentCommands = map[string]bool{
	"trace": true, "ping": true, "traceroute": true, "reach": true, "matrix": true,
	"check": true, "diff": true, "validate": true, endpointNamesCmd: true,
}

// residentEnv are the environment variables the questions read; they travel with them.
var residentEnv = []string{"VPCLAB_TOPOLOGY"}

// forward hands the command to the resident holding its topology, if one runs, and ends it
// with the resident's exit status. It returns nil to run the command here: no resident, or
// --no-resident or VPCLAB_RESIDENT=off, or the resident will not answer (its topology
// no longer loads without errors, or it went away before answering).
func (g *globals) forward(cmd *cobra.Command) error {
	if g.src != nil {
		// Answering from memory (a resident, the shell): questions only.
		if !residentCommands[cmd.Name()] || cmd.Parent() != cmd.Root() {
			return badInput("'%s' is not a question about a topology; run it outside", cmd.CommandPath())
		}
		return nil
	}
	if g.noResident || g.getenv("VPCLAB_RESIDENT") == "off" ||
		!residentCommands[cmd.Name()] || cmd.Parent() != cmd.Root() {
		return nil
	}
	paths := []string{g.topology}
	if cmd.Name() == "diff" {
		before, _ := cmd.Flags().GetString("before")
		after, _ := cmd.Flags().GetString("after")
		paths = []string{before, after} // the resident of either loads the other
	}
	dir, err := resident.Dir(g.getenv, false)
	if err != nil || dir == "" {
		return nil // then none runs
	}
	for _, p := range paths {
		if p == "" || isURL(p) { // a served lab is already resident, in its server
			continue
		}
		abs, err := filepath.Abs(p)
		if err != nil {
			continue
		}
		c, err := resident.Dial(dir, abs)
		if err != nil || c == nil {
			continue
		}
		return g.ask(cmd.Context(), c, abs)
	}
	return nil
}

// ask sends this command to a resident and passes on its answer.
func (g *globals) ask(ctx context.Context, c resident.Conn, abs string) error {
	cwd, err := os.Getwd()
	if err != nil {
		c.Close()
		return nil
	}
	req := &resident.Request{Op: resident.OpRun, Args: g.args, Dir: cwd, Env: map[string]string{}, StderrTTY: g.stderrTTY}
	for _, k := range residentEnv {
		if v := g.getenv(k); v != "" {
			req.Env[k] = v
		}
	}
	code, answered, err := resident.Ask(ctx, c, req, g.stdout, g.stderr)
	switch {
	case errors.Is(err, context.Canceled):
		return &exitError{code: ExitBadInput, msg: "interrupted"}
	case err != nil && !answered:
		return nil // it went away before saying anything: answer here
	case err != nil:
		return &exitError{code: ExitBadInput, msg: fmt.Sprintf("the resident for %s: %v; ask again, or pass --no-resident", abs, err)}
	case code == resident.Unserved:
		return nil
	}
	return &exitError{code: code}
}

func newResident(g *globals) *cobra.Command {
	c := &cobra.Command{
		Use:   "resident start|status|stop",
		Short: "Keep a topology loaded in the background, so that questions about it answer at once",
		Long: `Loading a large estate takes seconds (a thousand VPCs of describe-* JSON: about six);
the question itself takes microseconds to a millisecond. A resident loads and compiles
the topology once and stays in the background: while it runs, trace, ping, traceroute,
reach, matrix, check, diff and validate with the same -t send their arguments, working
directory and $VPCLAB_TOPOLOGY to it over a unix socket, and it runs the command on the
network it holds and sends back its output and exit status: the same bytes a direct run
prints, in milliseconds.

It watches the topology's files (path, size, modification time, inode: no content is
read): a question about a changed topology makes it load again first. One whose files no
longer load without errors is not answered from memory; the command then loads it itself
and reports the errors.

It exits after --idle without a question (default 30m), on 'vpclab resident stop', or when
killed; a socket left by one that died is removed by the next command that finds it.
Sockets live in $XDG_RUNTIME_DIR/vpclab, else the user cache directory's vpclab
($VPCLAB_RESIDENT_DIR overrides), a directory only you may enter.

--no-resident (or VPCLAB_RESIDENT=off) makes a command load the topology itself.`,
		Example: `  vpclab resident start -t ./aws_configs
  vpclab trace -t ./aws_configs --from web-1 --to db-1 --port 5432   # answered by the resident
  vpclab resident status
  vpclab resident stop -t ./aws_configs`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return badInput("resident needs a subcommand: start, status or stop")
		},
	}
	c.AddCommand(newResidentStart(g), newResidentStatus(g), newResidentStop(g), newResidentServe(g))
	return c
}

// residentDir is the socket directory, or a bad-input error saying why there is none. Only
// start creates it; for the others "" means that none runs.
func (g *globals) residentDir(create bool) (string, error) {
	dir, err := resident.Dir(g.getenv, create)
	if err != nil {
		return "", badInput("%v", err)
	}
	return dir, nil
}

// residentTopology is -t as an absolute path, which names the resident.
func (g *globals) residentTopology() (string, error) {
	if g.topology == "" {
		return "", badInput("no topology: pass -t PATH (a YAML lab file or a directory of describe-* JSON)")
	}
	abs, err := filepath.Abs(g.topology)
	if err != nil {
		return "", badInput("-t %s: %v", g.topology, err)
	}
	if _, err := os.Stat(abs); err != nil {
		return "", badInput("-t %s: %v", g.topology, errText(err))
	}
	return abs, nil
}

func errText(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func newResidentStart(g *globals) *cobra.Command {
	var idle time.Duration
	c := &cobra.Command{
		Use:   "start -t PATH [--idle DURATION]",
		Short: "Load a topology into a background process that answers questions about it",
		Long: `Start a resident for the topology: it loads and compiles it, then serves the
questions about it in the background until --idle passes without one. start returns
when it answers (or says why the topology does not load, with status 2). If one already
runs for the topology, start says so and leaves it.

Exit status: 0 when a resident runs, 2 when it cannot start.`,
		Example: `  vpclab resident start -t ./aws_configs --idle 2h`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if idle <= 0 {
				return badInput("--idle %s: give a positive duration, e.g. 30m", idle)
			}
			abs, err := g.residentTopology()
			if err != nil {
				return err
			}
			dir, err := g.residentDir(true)
			if err != nil {
				return err
			}
			if c, _ := resident.Dial(dir, abs); c != nil {
				i, err := resident.Status(c)
				if err == nil {
					fmt.Fprintf(g.stdout, "a resident already holds %s (pid %d)\n", abs, i.PID)
					return nil
				}
			}
			exe, err := os.Executable()
			if err != nil {
				return badInput("cannot find vpclab's own executable to start a resident: %v", err)
			}
			env := append(os.Environ(), resident.DirEnv+"="+dir)
			start := time.Now()
			p, err := resident.Spawn(exe, []string{"resident", "serve", "-t", abs, "--idle", idle.String()}, env, resident.LogPath(dir, abs))
			if err != nil {
				return badInput("cannot start a resident: %v", err)
			}
			return g.awaitResident(cmd.Context(), p, dir, abs, start)
		},
	}
	c.Flags().DurationVar(&idle, "idle", 30*time.Minute, "exit after this long without a question")
	return c
}

// awaitResident waits until the resident started as p answers, or exits (then its log says
// why); Ctrl-C stops it.
func (g *globals) awaitResident(ctx context.Context, p *exec.Cmd, dir, abs string, start time.Time) error {
	exited := make(chan int, 1)
	go func() {
		p.Wait()
		exited <- p.ProcessState.ExitCode()
	}()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			p.Process.Kill()
			<-exited
			return &exitError{code: ExitBadInput, msg: "interrupted; the resident was stopped"}
		case code := <-exited:
			log := resident.LogPath(dir, abs)
			b, _ := os.ReadFile(log)
			os.Remove(log)
			g.stderr.Write(b)
			if code == 0 {
				code = ExitBadInput
			}
			return &exitError{code: code, msg: fmt.Sprintf("the resident for %s did not start", abs)}
		case <-tick.C:
			c, _ := resident.Dial(dir, abs)
			if c == nil {
				continue
			}
			i, err := resident.Status(c)
			if err != nil {
				continue
			}
			if b, _ := os.ReadFile(resident.LogPath(dir, abs)); len(b) > 0 {
				g.stderr.Write(b) // warnings
			}
			fmt.Fprintf(g.stdout, "resident for %s ready: pid %d, loaded in %.1f s, %s\n",
				abs, i.PID, time.Since(start).Seconds(), bytesText(int64(i.Memory)))
			return nil
		}
	}
}

func newResidentStatus(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "List the running residents: topology, pid, memory, age, questions answered",
		Long: `List the residents running for you, one line each: the topology, the process, its
resident memory, how long it has run and since its last question, the questions it
answered and how often it loaded a changed topology again. Sockets of residents that died
are removed on the way.

Exit status: 0 (also when none runs).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, err := g.residentDir(false)
			if err != nil {
				return err
			}
			if dir == "" {
				fmt.Fprintln(g.stdout, "no resident runs")
				return nil
			}
			list, err := resident.List(dir)
			if err != nil {
				return badInput("%v", err)
			}
			if len(list) == 0 {
				fmt.Fprintln(g.stdout, "no resident runs")
				return nil
			}
			now := time.Now()
			w := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "TOPOLOGY\tPID\tMEMORY\tUP\tIDLE\tQUESTIONS\tRELOADS\tEXITS IDLE AFTER")
			for _, i := range list {
				fmt.Fprintf(w, "%s\t%d\t%s\t%s\t%s\t%d\t%d\t%s\n", i.Topology, i.PID, bytesText(int64(i.Memory)),
					now.Sub(i.Started).Round(time.Second), now.Sub(i.Last).Round(time.Second), i.Questions, i.Reloads, i.Idle)
			}
			return w.Flush()
		},
	}
}

func newResidentStop(g *globals) *cobra.Command {
	var all bool
	c := &cobra.Command{
		Use:   "stop -t PATH | --all",
		Short: "Stop the resident of a topology, or every one",
		Long: `Stop the resident holding -t's topology (the questions it is answering finish first),
or with --all every resident of yours.

Exit status: 0 when it stopped or none ran, 2 on bad input.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, err := g.residentDir(false)
			if err != nil {
				return err
			}
			var paths []string
			if all {
				list, err := resident.List(dir)
				if err != nil {
					return badInput("%v", err)
				}
				for _, i := range list {
					paths = append(paths, i.Topology)
				}
			} else {
				if g.topology == "" {
					return badInput("stop needs -t PATH, or --all")
				}
				abs, err := filepath.Abs(g.topology)
				if err != nil {
					return badInput("-t %s: %v", g.topology, err)
				}
				paths = []string{abs}
			}
			for _, p := range paths {
				ran, err := resident.Stop(dir, p)
				switch {
				case err != nil:
					return badInput("stopping the resident for %s: %v", p, err)
				case ran:
					fmt.Fprintf(g.stdout, "stopped the resident for %s\n", p)
				case !all:
					fmt.Fprintf(g.stdout, "no resident holds %s\n", p)
				}
			}
			return nil
		},
	}
	c.Flags().BoolVar(&all, "all", false, "stop every resident")
	return c
}
