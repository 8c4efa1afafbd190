package triage_test

import (
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kakekomi/kakekomi/internal/classify"
	"github.com/kakekomi/kakekomi/internal/corpus"
	"github.com/kakekomi/kakekomi/internal/kb"
	"github.com/kakekomi/kakekomi/internal/triage"
)

// descriptionOf returns a description of about n characters made of eval
// texts, so that the measured text reads like a real one.
func descriptionOf(cases []corpus.Case, n int) string {
	var b strings.Builder
	for i := 0; b.Len() < 3*n; i++ { // ~3 bytes a character
		b.WriteString(cases[i%len(cases)].Text)
	}
	r := []rune(b.String())
	if len(r) > n {
		r = r[:n]
	}
	return string(r)
}

func starterCases(b *testing.B) []corpus.Case {
	s, err := corpus.ReadFile[corpus.Case]("../../corpus/triage/starter.jsonl")
	if err != nil {
		b.Fatal(err)
	}
	return s.Items
}

// BenchmarkTriage measures one triage of a 50-, 300- and 3,000-character
// description on one goroutine, and reports p50 and p99 over the runs.
func BenchmarkTriage(b *testing.B) {
	e := engine(b)
	cases := starterCases(b)
	for _, n := range []int{50, 300, 3000} {
		text := descriptionOf(cases, n)
		b.Run(fmt.Sprintf("chars=%d", n), func(b *testing.B) {
			in := triage.Input{Text: text, At: evalAt}
			durations := make([]time.Duration, 0, b.N)
			b.ReportAllocs()
			for b.Loop() {
				start := time.Now()
				if _, err := e.Triage(in); err != nil {
					b.Fatal(err)
				}
				durations = append(durations, time.Since(start))
			}
			slices.Sort(durations)
			b.ReportMetric(float64(durations[len(durations)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(durations[len(durations)*99/100].Microseconds()), "p99-µs")
		})
	}
}

// BenchmarkTriageEvalSet measures throughput over the whole evaluation set,
// as a batch would see it.
func BenchmarkTriageEvalSet(b *testing.B) {
	e := engine(b)
	cases := starterCases(b)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		c := cases[n%len(cases)]
		n++
		if _, err := e.Triage(triage.Input{Text: c.Text, At: evalAt}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNew measures building the engine, which every one-shot command
// pays once.
func BenchmarkNew(b *testing.B) {
	e := engine(b)
	k := e.KB()
	for b.Loop() {
		triage.New(k)
	}
}

func FuzzTriage(f *testing.F) {
	e := engine(f)
	for _, s := range []string{"振り込んだのに届かない", "ｱﾏｿﾞﾝ", "死にたい", "\xff", "", strings.Repeat("あ", 100), "5万円 100,000円 3.5万円"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := e.Triage(triage.Input{Text: s, At: evalAt})
		if err != nil {
			if triage.Check(s) == nil {
				t.Fatalf("Triage failed on valid input: %v", err)
			}
			return
		}
		if len(r.Types) > 5 {
			t.Fatalf("%d types, want at most 5", len(r.Types))
		}
		for i, m := range r.Types {
			if m.Score < 0 || m.Score > 1 {
				t.Fatalf("score %v out of [0, 1]", m.Score)
			}
			if i > 0 && m.Score > r.Types[i-1].Score {
				t.Fatalf("types not ordered by score")
			}
			for _, w := range m.Matched {
				if !strings.Contains(s, w) {
					t.Fatalf("matched %q is not in the text", w)
				}
			}
		}
		if r.Emergency.Active && (len(r.Desks) == 0 || (r.Desks[0].ID != "police_110" && r.Desks[0].ID != "crisis_line" && r.Desks[0].ID != "childline" && r.Desks[0].ID != "mext_24h_sos")) {
			t.Fatalf("emergency without an emergency desk first")
		}
		if len(r.Desks) == 0 {
			t.Fatalf("no desks at all")
		}
	})
}

// BenchmarkLoadModels measures reading the embedded type and emergency
// models, which every one-shot command pays once.
func BenchmarkLoadModels(b *testing.B) {
	for _, name := range []string{"models/types.bin", "models/emergency.bin"} {
		data, err := fs.ReadFile(kb.Embedded(), name)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := classify.Load(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
