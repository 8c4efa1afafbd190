package triage_test

import (
	"bytes"
	"flag"
	"io/fs"
	"path/filepath"
	"testing"
	"time"

	"github.com/kakekomi/kakekomi/internal/corpus"
	"github.com/kakekomi/kakekomi/internal/kb"
	"github.com/kakekomi/kakekomi/internal/triage"
)

// listMisses makes the evaluation tests log every case they miss.
var listMisses = flag.Bool("misses", false, "log every case the evaluation misses")

func engine(t testing.TB) *triage.Engine {
	t.Helper()
	k, err := kb.Load(kb.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	return triage.New(k)
}

// evalAt is a fixed weekday morning, so that results do not depend on when
// the test runs.
var evalAt = time.Date(2026, 11, 24, 10, 30, 0, 0, time.FixedZone("JST", 9*3600))

// sealedFloors are held on every sealed set. The goal is top-1 0.92, top-3
// 0.98, desks 0.95, every emergency and false alarms at most 1 %; the
// floors are what the models reached when the sets were first measured
// (2026-12-03, see BENCHMARKS.md), a little below, so that no change makes
// them worse while the corpus grows towards the goal.
var sealedFloors = struct{ top1, top3, desks, emergencies, falseAlarms float64 }{
	top1: 0.89, top3: 0.93, desks: 0.94, emergencies: 0.75, falseAlarms: 0.025,
}

// TestSealedSets holds the floors that people rely on, on the sealed sets:
// descriptions written from pages never used for the training corpus, never
// tuned on. The right trouble first and among the first three, the required
// desks near the top, every emergency caught and few false alarms.
func TestSealedSets(t *testing.T) {
	e := engine(t)
	names, err := filepath.Glob("../../corpus/sealed/triage-*.jsonl")
	if err != nil || len(names) == 0 {
		t.Fatalf("no sealed sets: %v", err)
	}
	for _, name := range names {
		s, err := corpus.ReadFile[corpus.Case](name)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(s.Name, func(t *testing.T) {
			m, err := triage.Evaluate(e, s.Items, evalAt)
			if err != nil {
				t.Fatal(err)
			}
			t.Log(m.Summary())
			for _, c := range m.Confused(5) {
				t.Log("  ", c)
			}
			for _, miss := range m.Misses {
				if *listMisses || miss.EmergencyMissed || miss.EmergencyFalse {
					t.Logf("miss %s want %s emergency %v got %v: %s", miss.Case.ID, miss.Case.Primary, miss.Case.Emergency, miss.GotEmergency, miss.Case.Text)
				}
			}
			floor := func(what string, got, want float64) {
				if got < want {
					t.Errorf("%s %.3f is below the floor %.2f", what, got, want)
				}
			}
			floor("top-1", triage.Rate(m.Top1, m.N), sealedFloors.top1)
			floor("top-3", triage.Rate(m.Top3, m.N), sealedFloors.top3)
			floor("required desks in the first five", triage.Rate(m.DeskHit, m.DeskAll), sealedFloors.desks)
			floor("emergencies caught", triage.Rate(m.Caught, max(m.Emergencies, 1)), sealedFloors.emergencies)
			if fa := triage.Rate(m.FalseAlarms, m.Calm); fa > sealedFloors.falseAlarms {
				t.Errorf("false alarms %.3f are above the ceiling %.3f", fa, sealedFloors.falseAlarms)
			}
		})
	}
}

// TestModelsMatchCorpus retrains the models from the corpus and checks that
// the built-in ones are the same bytes: the corpus is the source, and a
// model that drifted from it would hide what a counsellor changed.
func TestModelsMatchCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("training takes seconds")
	}
	k, err := kb.Load(kb.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	sets, err := corpus.ReadDir[corpus.Case]("../../corpus/triage")
	if err != nil {
		t.Fatal(err)
	}
	ms, err := triage.Train(k, corpus.All(sets))
	if err != nil {
		t.Fatal(err)
	}
	for name, m := range map[string]interface{ MarshalBinary() ([]byte, error) }{"types.bin": ms.Types, "emergency.bin": ms.Emergency} {
		got, _ := m.MarshalBinary()
		want, err := fs.ReadFile(kb.Embedded(), "models/"+name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("models/%s differs from what the corpus trains: run 'go run ./cmd/kakekomi kb train'", name)
		}
	}
}
