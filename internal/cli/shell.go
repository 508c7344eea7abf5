package cli

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/vpclab/vpclab/internal/resident"
)

const shellHelp = `Commands (as 'vpclab COMMAND', without -t: the shell's topology is meant):
  trace --from FROM --to TO [flags]   follow one packet and its reply hop by hop
  reach --from FROM --to TO [flags]   every protocol and port between two endpoints
  ping [flags] FROM DEST              ICMP echo, as iputils ping prints it
  traceroute [flags] FROM DEST        the path hop by hop, as traceroute(8) prints it
  matrix [flags]                      who reaches whom
  check [flags] INTENTS.yaml          check reachability intents
  validate                            the topology's problems and a summary
  help [COMMAND]                      this list, or a command's flags
  exit                                leave (also quit, Ctrl-D)
Tab completes commands, flags and endpoint names.
`

func newShell(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "shell -t PATH",
		Short: "Ask many questions of one load, at a prompt with completion of names",
		Long: `Load the topology once (or use the resident holding it, if one runs: see 'vpclab
resident') and take trace, reach, ping, traceroute, matrix, check and validate at a
prompt, written as on the command line without 'vpclab' and without -t. Tab completes
command names, flags, and endpoint names (instance names and IDs, ENI IDs, and the
resources a host can be beyond: tgw-attach-...:, pcx-...:, subnet-...:, ...). Up and down
recall earlier lines; exit, quit or Ctrl-D leaves; Ctrl-C stops a question asked of a
resident. The topology's files are watched: a change is loaded before the next question.

When standard input is not a terminal the shell reads one command a line, prints no
prompt, and prints each answer exactly as the command would: a file of questions gives
the same output as running them one by one. Lines starting with # are comments.

Exit status: that of the last command (0 when there was none), or 2 when the topology
does not load.`,
		Example: `  vpclab shell -t examples/east-west-nat/lab.yaml
  printf 'trace --from source --to destination\nreach --from source --to destination\n' |
      vpclab shell -t examples/east-west-nat/lab.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			abs, err := g.residentTopology()
			if err != nil {
				return err
			}
			sh := &shell{g: g, abs: abs}
			if err := sh.attach(); err != nil {
				return err
			}
			base := context.WithoutCancel(cmd.Context()) // Ctrl-C stops a question, not the shell
			code := 0
			if f, ok := g.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) && isTerminal(g.stdout) {
				code = sh.interactive(base, f)
			} else {
				code = sh.script(base, g.stdin)
			}
			if code != 0 {
				return &exitError{code: code}
			}
			return nil
		},
	}
}

// shell asks the questions of a line either of a resident or of an estate it loaded itself.
type shell struct {
	g      *globals
	abs    string
	dir    string  // the resident's socket directory, when one holds the topology
	est    *estate // else the topology, loaded here
	once   sync.Once
	nameLs []string
}

// attach finds the resident holding the topology, or loads it.
func (sh *shell) attach() error {
	g := sh.g
	if !g.noResident && g.getenv("VPCLAB_RESIDENT") != "off" {
		if dir, err := resident.Dir(g.getenv, false); err == nil && dir != "" {
			if c, _ := resident.Dial(dir, sh.abs); c != nil {
				c.Close()
				sh.dir = dir
				return nil
			}
		}
	}
	sh.est = &estate{abs: sh.abs}
	h := sh.est.fresh()
	if h.probs.HasErrors() {
		return &exitError{code: ExitBadInput, msg: problemsText("the topology", rebase(h.probs, sh.abs, g.topology, true))}
	}
	if w := len(h.probs.Warnings()) + len(h.warns); w > 0 {
		fmt.Fprintf(g.stderr, "vpclab: %d warning(s) loading %s; 'vpclab validate -t %s' lists them\n", w, g.topology, g.topology)
	}
	return nil
}

// ask runs one command line's words (a command and its arguments, without -t) and returns
// its exit status.
func (sh *shell) ask(ctx context.Context, words []string, stdout, stderr io.Writer) int {
	args := append([]string{words[0], "-t", sh.g.topology}, words[1:]...)
	if sh.dir != "" {
		if c, _ := resident.Dial(sh.dir, sh.abs); c != nil {
			cwd, _ := os.Getwd()
			req := &resident.Request{Op: resident.OpRun, Args: args, Dir: cwd, StderrTTY: sh.g.stderrTTY}
			code, answered, err := resident.Ask(ctx, c, req, stdout, stderr)
			switch {
			case errors.Is(err, context.Canceled):
				fmt.Fprintln(stderr, "vpclab: interrupted")
				return ExitBadInput
			case err != nil && answered:
				fmt.Fprintf(stderr, "vpclab: the resident for %s: %v\n", sh.abs, err)
				return ExitBadInput
			case err == nil && code != resident.Unserved:
				return code
			}
		}
		// The resident went away, or will not answer: load here from now on.
		sh.dir = ""
		sh.est = &estate{abs: sh.abs}
	}
	o := runOptions{getenv: sh.g.getenv, stderrTTY: sh.g.stderrTTY}
	if h := sh.est.fresh(); !h.probs.HasErrors() {
		o.src = &view{e: sh.est, h: h}
	} // else the command loads the files itself and reports their errors
	return execute(ctx, args, stdout, stderr, o)
}

// line runs one line; done says the shell should end. A blank line or a comment returns
// ok false: it has no exit status.
func (sh *shell) line(ctx context.Context, line string) (code int, ok, done bool) {
	g := sh.g
	words, err := splitLine(line)
	if err != nil {
		fmt.Fprintf(g.stderr, "vpclab: %v\n", err)
		return ExitBadInput, true, false
	}
	if len(words) > 0 && words[0] == "vpclab" {
		words = words[1:] // typed out of habit
	}
	if len(words) == 0 {
		return 0, false, false
	}
	switch w := words[0]; {
	case w == "exit" || w == "quit":
		return 0, false, true
	case w == "help" && len(words) == 1:
		fmt.Fprint(g.stdout, shellHelp)
		return 0, true, false
	case w == "help":
		words = []string{words[1], "--help"}
	}
	if !slices.Contains(shellCommands, words[0]) {
		fmt.Fprintf(g.stderr, "vpclab: %q is not a shell command; 'help' lists them\n", words[0])
		return ExitBadInput, true, false
	}
	return sh.ask(ctx, words, g.stdout, g.stderr), true, false
}

// script reads commands line by line, without prompts.
func (sh *shell) script(ctx context.Context, in io.Reader) int {
	code := 0
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		c, ok, done := sh.line(ctx, sc.Text())
		if done {
			break
		}
		if ok {
			code = c
		}
	}
	return code
}

// interactive reads commands at a prompt with history and completion.
func (sh *shell) interactive(ctx context.Context, in *os.File) int {
	fd := int(in.Fd())
	t := term.NewTerminal(struct {
		io.Reader
		io.Writer
	}{in, sh.g.stdout}, "vpclab> ")
	comp := newCompleter(sh.names)
	t.AutoCompleteCallback = func(line string, pos int, key rune) (string, int, bool) {
		if key != '\t' {
			return "", 0, false
		}
		start, cands := comp.complete(line[:pos])
		if len(cands) == 0 {
			return "", 0, false
		}
		ins := commonPrefix(cands)
		if len(cands) == 1 && !strings.HasSuffix(ins, ":") {
			ins += " "
		}
		if ins == line[start:pos] {
			t.Write([]byte(candidateList(cands)))
			return "", 0, false
		}
		return line[:start] + ins + line[pos:], start + len(ins), true
	}
	fmt.Fprintf(sh.g.stdout, "vpclab shell: %s. 'help' lists the commands, Tab completes.\n", sh.g.topology)
	code := 0
	for {
		old, err := term.MakeRaw(fd)
		if err != nil {
			return sh.script(ctx, in)
		}
		line, err := t.ReadLine()
		term.Restore(fd, old)
		if err != nil { // Ctrl-D or Ctrl-C at the prompt, or the terminal went away
			fmt.Fprintln(sh.g.stdout)
			return code
		}
		qctx, stop := signal.NotifyContext(ctx, os.Interrupt)
		c, ok, done := sh.line(qctx, line)
		stop()
		if done {
			return code
		}
		if ok {
			code = c
		}
	}
}

// candidateList shows completions in columns, at most 100 of them.
func candidateList(cands []string) string {
	var b strings.Builder
	shown := cands[:min(len(cands), 100)]
	width := 0
	for _, c := range shown {
		width = max(width, len(c)+2)
	}
	cols := max(1, 80/width)
	for i, c := range shown {
		fmt.Fprintf(&b, "%-*s", width, c)
		if (i+1)%cols == 0 || i == len(shown)-1 {
			b.WriteString("\n")
		}
	}
	if n := len(cands) - len(shown); n > 0 {
		fmt.Fprintf(&b, "... and %d more\n", n)
	}
	return b.String()
}

// names are the topology's endpoint names, asked once: of the estate, or of the resident.
func (sh *shell) names() []string {
	sh.once.Do(func() {
		if sh.est != nil {
			if h := sh.est.fresh(); h.t != nil {
				sh.nameLs = endpointNames(h.t)
			}
			return
		}
		var out bytes.Buffer
		if sh.ask(context.Background(), []string{endpointNamesCmd}, &out, io.Discard) == 0 {
			sh.nameLs = strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
		}
	})
	return sh.nameLs
}

// splitLine splits a command line into words as a POSIX shell would for simple cases:
// blanks separate, '...' is literal, "..." takes \" and \\, a backslash escapes the next
// character, and # at the start of a word begins a comment.
func splitLine(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == ' ' || ch == '\t' || ch == '\r':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case ch == '#' && !inWord:
			return words, nil
		case ch == '\\':
			if i+1 < len(s) {
				i++
				cur.WriteByte(s[i])
			}
			inWord = true
		case ch == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("unclosed ' in %q", s)
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case ch == '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\') {
					i++
				}
				cur.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, fmt.Errorf("unclosed \" in %q", s)
			}
			inWord = true
		default:
			cur.WriteByte(ch)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}
