package analyze

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf16"
)

// FuzzParseIntents: any input gives intents and problems, never a panic. Every problem names
// the file, and its line, when the YAML parser gives one, is a line of the input. An input
// without errors holds at least one intent, and every intent has from, to and an expectation
// check can evaluate. Seeds are check's intents files plus malformed snippets.
func FuzzParseIntents(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "cli", "testdata", "analyze", "intents*.yaml"))
	if len(files) == 0 {
		f.Fatal("no intents files to seed from")
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		"",
		"# only a comment\n",
		"[]",
		"~",
		"from: a\n",
		"- {from: a\n",
		"\t- x",
		"- *x\n",
		"- &i {from: a, to: b, expect: reachable}\n- *i\n",
		"- {from: a, to: b, expect: reachable}\n---\n- x\n",
		"- {from: , to: b, expect: reachable}\n",
		"- {from: a, to: b, expect: reachable, from: c}\n",
		"- {from: a, to: b, expect: reachable, via: [[x], {y: z}, ~]}\n",
		"- {from: a, to: b, expect: reachable, name: [x], seen_as: ::1}\n",
		"- {from: a, to: b, protocol: icmp, icmp_type: 8, port: 1, source_port: 2-1, expect: unreachable}\n",
		"- {from: a, to: b, protocol: 300, port: -1, expect: reachable}\n",
		"- [from, to]\n- 7\n- {? [a]: b}\n",
		"- {<<: {from: a}, to: b, expect: reachable}\n",
		"- {from: !!binary aGVsbG8=, to: !!int 7, expect: !!str reachable}\n",
		"- from: a\r  to: b\r  expect: reachable\r",
		"\ufeff- {from: a, to: b, expect: reachable}\u2028- x\n",
		"\xff\xfe-\x00 \x00~\x00\n\x00",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		intents, probs := ParseIntents("fuzz.yaml", data)
		lines := yamlLines(data)
		for _, p := range probs {
			if p.Src.File != "fuzz.yaml" || p.Src.Line < 0 || p.Src.Line > lines || p.Message == "" {
				t.Errorf("problem %v (%+v) in an input of %d line(s)", p, p.Src, lines)
			}
		}
		if probs.HasErrors() {
			return
		}
		if len(intents) == 0 {
			t.Errorf("no intents and no error")
		}
		for _, in := range intents {
			if in.From == "" || in.To == "" || (in.Expect != ExpectReachable && in.Expect != ExpectUnreachable) {
				t.Errorf("intent at line %d without an error: from %q, to %q, expect %q", in.Line, in.From, in.To, in.Expect)
			}
			if in.Line < 1 || in.Line > lines {
				t.Errorf("intent at line %d in an input of %d line(s)", in.Line, lines)
			}
			for _, v := range in.Via {
				if v == "" {
					t.Errorf("intent at line %d: an empty via", in.Line)
				}
			}
		}
	})
}

// yamlLines counts the lines of data the way the YAML parser does: the text is UTF-8, or
// UTF-16 when it starts with a byte order mark, and \r\n, \r, \n and the Unicode breaks NEL,
// LS and PS each end a line.
func yamlLines(data []byte) int {
	text := []rune(string(data))
	if len(data) >= 2 && (data[0] == 0xfe && data[1] == 0xff || data[0] == 0xff && data[1] == 0xfe) {
		units := make([]uint16, 0, len(data)/2)
		for i := 2; i+1 < len(data); i += 2 {
			if data[0] == 0xfe {
				units = append(units, binary.BigEndian.Uint16(data[i:]))
			} else {
				units = append(units, binary.LittleEndian.Uint16(data[i:]))
			}
		}
		text = utf16.Decode(units)
	}
	n := 1
	for i, r := range text {
		switch r {
		case '\r':
			if i+1 < len(text) && text[i+1] == '\n' {
				continue // counted at the \n
			}
			n++
		case '\n', '\u0085', '\u2028', '\u2029':
			n++
		}
	}
	return n
}
