package cli

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vpclab/vpclab/internal/analyze"
	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/resident"
	"github.com/vpclab/vpclab/internal/tools"
)

// source is where a command's topologies come from when it does not read them itself: an
// estate held in memory by a resident or the shell. Paths are as the user wrote them,
// relative to the caller's directory.
type source interface {
	load(g *globals, path string) (*model.Topology, model.Problems)
	compile(t *model.Topology) (*engine.Network, model.Problems)
	// names is the shared index of n's endpoint names, or nil when n is not the one held.
	names(n *engine.Network) *tools.Names
	// analyzer is the shared analyzer of n for a seed, or nil when n is not the one held.
	analyzer(n *engine.Network, seed uint64) *analyze.Analyzer
}

// analyzer is an analyzer of n with this command's seed: the one every question shares
// when n is held in memory (analyze.Analyzer is safe for concurrent use; indexing a large
// estate for it costs more than a reach).
func (g *globals) analyzer(n *engine.Network) *analyze.Analyzer {
	if g.src != nil {
		if a := g.src.analyzer(n, g.seed); a != nil {
			return a
		}
	}
	return analyze.New(n, g.seed)
}

// sim starts a simulation of n for this command: its own state, clock and captures, and,
// when n is held in memory, the names index every question shares (building it costs
// more than a trace on a large estate).
func (g *globals) sim(n *engine.Network) *tools.Sim {
	s := tools.NewSim(n, g.seed)
	if g.src != nil {
		if x := g.src.names(n); x != nil {
			s.UseNames(x)
		}
	}
	return s
}

// loadTopology reads the topology at path (as the user wrote it), from memory if it is held.
func (g *globals) loadTopology(path string) (*model.Topology, model.Problems) {
	if g.src != nil {
		return g.src.load(g, path)
	}
	return topologyLoad(path)
}

// compileTopology compiles t, or finds it compiled when it is the one held in memory.
func (g *globals) compileTopology(t *model.Topology) (*engine.Network, model.Problems) {
	if g.src != nil {
		return g.src.compile(t)
	}
	return engine.Compile(t)
}

// path is p as this process opens it: relative paths are the caller's.
func (g *globals) path(p string) string {
	if g.dir == "" || p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(g.dir, p)
}

// abs is p as an absolute path, the caller's directory taken for a relative one.
func (g *globals) abs(p string) (string, error) {
	if g.dir != "" {
		return filepath.Clean(g.path(p)), nil
	}
	return filepath.Abs(p)
}

// unpath words a file error as a direct run would: with the path relative to the caller.
func (g *globals) unpath(err error) error {
	var pe *os.PathError
	if g.dir != "" && errors.As(err, &pe) {
		if rel, ok := strings.CutPrefix(pe.Path, g.dir+string(filepath.Separator)); ok {
			pe.Path = rel
		}
	}
	return err
}

func (g *globals) readFile(p string) ([]byte, error) {
	b, err := os.ReadFile(g.path(p))
	return b, g.unpath(err)
}

func (g *globals) writeFile(p string, data []byte) error {
	return g.unpath(os.WriteFile(g.path(p), data, 0o644))
}

// estate is a topology held in memory, loaded and compiled once and again only when its
// files change (resident.Fingerprint). Questions take a snapshot of it (view) and never
// write to it: the compiled network is safe for concurrent use (engine.Network), every
// question makes its own simulation state.
type estate struct {
	abs string // the absolute path it was loaded from

	mu       sync.Mutex
	cur      *held
	reloads  int
	loadTime time.Duration
}

// held is one load of an estate.
type held struct {
	fp    string
	t     *model.Topology
	probs model.Problems // topology.Load's, sources naming abs
	net   *engine.Network
	warns model.Problems // engine.Compile's

	namesOnce sync.Once
	nameIx    *tools.Names
	amu       sync.Mutex
	analyzers map[uint64]*analyze.Analyzer // by seed
}

// fresh returns the estate as its files are now, loading it again if they changed since
// (the question waits for the load, as a direct run would).
func (e *estate) fresh() *held {
	fp, err := resident.Fingerprint(e.abs)
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.cur != nil && err == nil && fp == e.cur.fp {
		return e.cur
	}
	start := time.Now()
	h := &held{fp: fp}
	h.t, h.probs = topologyLoad(e.abs)
	if !h.probs.HasErrors() {
		h.net, h.warns = engine.Compile(h.t)
		// Warm what questions share, so that the first is as quick as the next: the names
		// index, and the analyzer for the default seed.
		h.namesOnce.Do(func() { h.nameIx = tools.IndexNames(h.net) })
		h.analyzers = map[uint64]*analyze.Analyzer{defaultSeed: analyze.New(h.net, defaultSeed)}
	}
	if e.cur != nil {
		e.reloads++
	}
	e.cur, e.loadTime = h, time.Since(start)
	return h
}

// view is one question's look at an estate: the load it started with, and the paths the
// command named it by.
type view struct {
	e    *estate
	h    *held
	mu   sync.Mutex
	seen map[*model.Topology][2]string // topology → absolute path, path as the user wrote it
}

func (v *view) load(g *globals, path string) (*model.Topology, model.Problems) {
	abs, err := g.abs(path)
	if err != nil || isURL(path) {
		return topologyLoad(path)
	}
	var t *model.Topology
	var probs model.Problems
	if abs == v.e.abs && v.h.t != nil {
		t, probs = v.h.t, v.h.probs
	} else {
		t, probs = topologyLoad(abs)
	}
	v.mu.Lock()
	if v.seen == nil {
		v.seen = map[*model.Topology][2]string{}
	}
	v.seen[t] = [2]string{abs, path}
	v.mu.Unlock()
	return t, rebase(probs, abs, path, true)
}

func (v *view) compile(t *model.Topology) (*engine.Network, model.Problems) {
	v.mu.Lock()
	names, ok := v.seen[t]
	v.mu.Unlock()
	var n *engine.Network
	var warns model.Problems
	if t == v.h.t && v.h.net != nil {
		n, warns = v.h.net, v.h.warns
	} else {
		n, warns = engine.Compile(t)
	}
	if !ok {
		return n, slices.Clone(warns)
	}
	return n, rebase(warns, names[0], names[1], false)
}

func (v *view) names(n *engine.Network) *tools.Names {
	if n == nil || n != v.h.net {
		return nil
	}
	v.h.namesOnce.Do(func() { v.h.nameIx = tools.IndexNames(n) })
	return v.h.nameIx
}

func (v *view) analyzer(n *engine.Network, seed uint64) *analyze.Analyzer {
	if n == nil || n != v.h.net {
		return nil
	}
	v.h.amu.Lock()
	defer v.h.amu.Unlock()
	a := v.h.analyzers[seed]
	if a == nil {
		if v.h.analyzers == nil {
			v.h.analyzers = map[uint64]*analyze.Analyzer{}
		}
		a = analyze.New(n, seed)
		v.h.analyzers[seed] = a
	}
	return a
}

// rebase words problems found loading abs as loading path would have: the topology's own
// path (a lab file, a snapshot directory) as the user wrote it, in messages too (files in
// a snapshot are named relative to it already). Sorted problems are sorted again, as the
// loader sorts them. The result is a copy: the estate's problems are shared.
func rebase(ps model.Problems, abs, path string, sorted bool) model.Problems {
	out := slices.Clone(ps)
	if abs == path {
		return out
	}
	for i := range out {
		if out[i].Src.File == abs {
			out[i].Src.File = path
		}
		out[i].Message = strings.ReplaceAll(out[i].Message, abs, path)
	}
	if sorted {
		out.Sort()
	}
	return out
}
