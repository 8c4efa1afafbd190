package triage

import (
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/kakekomi/kakekomi/internal/classify"
	"github.com/kakekomi/kakekomi/internal/corpus"
	"github.com/kakekomi/kakekomi/internal/kb"
)

// Metrics are the figures of the engine on labelled cases, counted as the
// labelling guide defines them.
type Metrics struct {
	N          int // cases
	Top1, Top3 int // primary type first, among the first three ("none": no type at all)
	// Required desks found among the first five desks, of all required.
	DeskHit, DeskAll int
	// Emergencies caught (banner and the first required desk in the first
	// five), and false alarms on the cases that are not emergencies.
	Emergencies, Caught, Calm, FalseAlarms int
	Confusion                              map[[2]string]int // (want, got first) where they differ
	Misses                                 []Miss
}

// Miss is one case the engine got wrong.
type Miss struct {
	Case            corpus.Case
	Got             []TypeMatch
	GotEmergency    string // the kind raised, if any
	MissingDesks    []string
	EmergencyMissed bool
	EmergencyFalse  bool
}

// Rate is a share, 0 when there is nothing to share.
func Rate(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return float64(n) / float64(of)
}

// Summary is the figures in one line.
func (m Metrics) Summary() string {
	return fmt.Sprintf("%d cases: top-1 %.3f, top-3 %.3f, required desks in the first five %.3f, emergencies caught %d/%d, false alarms %d/%d (%.1f%%)",
		m.N, Rate(m.Top1, m.N), Rate(m.Top3, m.N), Rate(m.DeskHit, m.DeskAll), m.Caught, m.Emergencies, m.FalseAlarms, m.Calm, 100*Rate(m.FalseAlarms, m.Calm))
}

// Confused lists the pairs of types most often taken for one another,
// commonest first, at most n.
func (m Metrics) Confused(n int) []string {
	type pair struct {
		k [2]string
		v int
	}
	var ps []pair
	for k, v := range m.Confusion {
		ps = append(ps, pair{k, v})
	}
	sort.Slice(ps, func(i, j int) bool {
		if ps[i].v != ps[j].v {
			return ps[i].v > ps[j].v
		}
		return ps[i].k[0]+ps[i].k[1] < ps[j].k[0]+ps[j].k[1]
	})
	var out []string
	for _, p := range ps[:min(n, len(ps))] {
		out = append(out, fmt.Sprintf("%s taken for %s: %d", p.k[0], p.k[1], p.v))
	}
	return out
}

// Evaluate triages every case at the moment at and counts the figures.
// The person's age is told to the engine as the labels say, as a context
// would.
func Evaluate(e *Engine, cases []corpus.Case, at time.Time) (Metrics, error) {
	var m Metrics
	return m, m.count(e, cases, at)
}

// count triages the cases and adds their figures to m.
func (m *Metrics) count(e *Engine, cases []corpus.Case, at time.Time) error {
	if m.Confusion == nil {
		m.Confusion = map[[2]string]int{}
	}
	for _, c := range cases {
		r, err := e.Triage(Input{ID: c.ID, Text: c.Text, At: at, Context: Context{Minor: c.Minor}})
		if err != nil {
			return fmt.Errorf("evaluate %s: %w", c.ID, err)
		}
		m.N++
		miss := Miss{Case: c, Got: r.Types, GotEmergency: r.Emergency.Kind}
		got := corpus.None
		if len(r.Types) > 0 {
			got = r.Types[0].ID
		}
		wrongFirst := got != c.Primary
		if wrongFirst {
			m.Confusion[[2]string{c.Primary, got}]++
		} else {
			m.Top1++
		}
		if c.Primary == corpus.None && len(r.Types) == 0 || slices.ContainsFunc(r.Types[:min(3, len(r.Types))], func(t TypeMatch) bool { return t.ID == c.Primary }) {
			m.Top3++
		}
		var first5 []string
		for _, d := range r.Desks[:min(5, len(r.Desks))] {
			first5 = append(first5, d.ID)
		}
		for _, d := range c.DesksRequired {
			m.DeskAll++
			if slices.Contains(first5, d) {
				m.DeskHit++
			} else {
				miss.MissingDesks = append(miss.MissingDesks, d)
			}
		}
		if c.Emergency {
			m.Emergencies++
			if r.Emergency.Active && (len(c.DesksRequired) == 0 || slices.Contains(first5, c.DesksRequired[0]) || emergencyDeskFirst(r)) {
				m.Caught++
			} else {
				miss.EmergencyMissed = true
			}
		} else {
			m.Calm++
			if r.Emergency.Active {
				m.FalseAlarms++
				miss.EmergencyFalse = true
			}
		}
		if wrongFirst || len(miss.MissingDesks) > 0 || miss.EmergencyMissed || miss.EmergencyFalse {
			m.Misses = append(m.Misses, miss)
		}
	}
	return nil
}

// emergencyDeskFirst reports whether the first desk is one that answers an
// emergency: 110 or a crisis line, as the labelling guide requires.
func emergencyDeskFirst(r *Result) bool {
	return len(r.Desks) > 0 && slices.Contains([]string{"police_110", "crisis_line", "childline", "mext_24h_sos"}, r.Desks[0].ID)
}

// CrossValidate trains on all folds but one and measures on that one, for
// each of k folds stratified by primary type, and adds up the figures: an
// estimate of how the models do on texts they never saw. progress, if not
// nil, is called after each fold.
func CrossValidate(k *kb.KB, cases []corpus.Case, folds int, at time.Time, progress func(done, of int)) (Metrics, error) {
	strata := make([]string, len(cases))
	for i, c := range cases {
		strata[i] = c.Primary
	}
	var total Metrics
	parts := classify.Folds(strata, folds)
	for n, fold := range parts {
		train, test := classify.Split(cases, fold)
		ms, err := Train(k, train)
		if err != nil {
			return total, err
		}
		kk := *k
		kk.TypeModel, kk.EmergencyModel = ms.Types, ms.Emergency
		if err := total.count(New(&kk), test, at); err != nil {
			return total, err
		}
		if progress != nil {
			progress(n+1, len(parts))
		}
	}
	return total, nil
}
