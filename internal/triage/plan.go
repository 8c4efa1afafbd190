package triage

import (
	"slices"
	"sort"
	"time"

	"github.com/kakekomi/kakekomi/internal/desks"
	"github.com/kakekomi/kakekomi/internal/kb"
)

// plan fills the steps, don'ts, desks, evidence and questions of r from the
// types found, in their order, merged without repeats.
func (e *Engine) plan(r *Result, answers map[string]string, assumed map[string]bool, em *kb.EmergencyKind, at time.Time, lang string) {
	var types []*kb.Type
	var scores []float64
	for i, m := range r.Types {
		if i == 0 || m.Score >= planProb {
			types = append(types, e.kb.Type(m.ID))
			scores = append(scores, m.Score)
		}
	}

	// Steps: the emergency step first, then every type's steps, ordered by
	// urgency and, within one urgency, by the rank of the type that brought
	// them.
	seenStep := map[string]bool{}
	addStep := func(s *kb.Step) {
		if s == nil || seenStep[s.ID] || !s.Holds(answers) {
			return
		}
		seenStep[s.ID] = true
		r.Steps = append(r.Steps, Step{ID: s.ID, When: s.When, Text: s.Text.In(lang), Why: s.Why.In(lang), Desk: s.Desk})
	}
	for _, t := range types {
		for _, id := range t.Steps {
			addStep(e.kb.Step(id))
		}
	}
	replaced := map[string]bool{}
	for _, st := range r.Steps {
		for _, id := range e.kb.Step(st.ID).Replaces {
			replaced[id] = true
		}
	}
	r.Steps = slices.DeleteFunc(r.Steps, func(st Step) bool { return replaced[st.ID] })
	sort.SliceStable(r.Steps, func(i, j int) bool { return urgency(r.Steps[i].When) < urgency(r.Steps[j].When) })
	if em != nil {
		first := em.Step
		r.Steps = append([]Step{{ID: first.ID, When: first.When, Text: first.Text.In(lang), Why: first.Why.In(lang), Desk: first.Desk}}, r.Steps...)
	}

	seenDont := map[string]bool{}
	for _, t := range types {
		for _, id := range t.Donts {
			d := e.kb.Dont(id)
			if d == nil || seenDont[id] || !d.Holds(answers) {
				continue
			}
			seenDont[id] = true
			r.Donts = append(r.Donts, d.Text.In(lang))
			r.DontDetails = append(r.DontDetails, Dont{ID: d.ID, Text: d.Text.In(lang), Why: d.Why.In(lang)})
		}
	}

	seenEvidence := map[string]bool{}
	for _, t := range types {
		for _, ev := range t.Evidence {
			if s := ev.In(lang); !seenEvidence[s] {
				seenEvidence[s] = true
				r.Evidence = append(r.Evidence, s)
			}
		}
	}

	r.Desks = e.deskList(types, scores, answers, r.Minor, em, at, lang)
	// A step that sends the person to a desk the answers ruled out (「188に
	// 電話」 once the seller is a private person) goes with that desk.
	ruledOut := map[string]bool{}
	for _, t := range types {
		for _, ref := range t.Desks {
			ruledOut[ref.ID] = ruledOut[ref.ID] || !ref.Holds(answers)
		}
	}
	for _, d := range r.Desks {
		delete(ruledOut, d.ID)
	}
	r.Steps = slices.DeleteFunc(r.Steps, func(st Step) bool { return st.Desk != "" && ruledOut[st.Desk] })
	r.Questions = e.questions(types, answers, assumed, lang)
}

func urgency(when string) int {
	for i, w := range kb.Whens {
		if w == when {
			return i
		}
	}
	return len(kb.Whens)
}

// rankedDesk is a desk with the key that orders it.
type rankedDesk struct {
	ref kb.DeskRef
	key float64
}

// deskList orders the desks: emergency desks first; then the desks of every
// type found, interleaved so that a second type as likely as the first has
// its first desk right after the first type's first, and a less likely one
// later; the children's desks for a minor right after the first type's
// first two; general desks when nothing was found.
func (e *Engine) deskList(types []*kb.Type, scores []float64, answers map[string]string, minor bool, em *kb.EmergencyKind, at time.Time, lang string) []Desk {
	var ranked []rankedDesk
	for r, t := range types {
		offset := 0.0
		if r > 0 {
			offset = 0.5 + 3*(1-scores[r]/max(scores[0], 0.01))
		}
		p := 0
		for _, ref := range t.Desks {
			if !ref.Holds(answers) {
				continue
			}
			ranked = append(ranked, rankedDesk{ref, float64(p) + offset})
			p++
		}
	}
	if minor {
		for i, ref := range e.kb.MinorDesks {
			if ref.Holds(answers) {
				ranked = append(ranked, rankedDesk{ref, 1.6 + 0.01*float64(i)})
			}
		}
	}
	if len(types) == 0 {
		for i, ref := range e.kb.General {
			ranked = append(ranked, rankedDesk{ref, 10 + float64(i)})
		}
	}
	sort.SliceStable(ranked, func(i, j int) bool { return ranked[i].key < ranked[j].key })

	var first []string
	if em != nil {
		first = em.Desks
		if minor && len(em.MinorDesks) > 0 {
			first = em.MinorDesks
		}
	}
	out := []Desk{}
	seen := map[string]bool{}
	add := func(id string, reason kb.Text) {
		if seen[id] || len(out) >= maxDesks || e.kb.Desk(id) == nil {
			return
		}
		seen[id] = true
		d := desks.Describe(e.kb, e.kb.Desk(id), at, lang)
		d.Reason = reason.In(lang)
		out = append(out, d)
	}
	for _, id := range first {
		add(id, em.Reason)
	}
	// In an emergency the first number must answer now: the emergency's
	// desks that are open come before those that are closed at this hour.
	slices.SortStableFunc(out, func(a, b Desk) int { return answersNow(a) - answersNow(b) })
	for _, rd := range ranked {
		add(rd.ref.ID, rd.ref.Reason)
	}
	return out
}

// answersNow ranks a desk by whether it answers at the moment: 0 open, 1
// unknown, 2 closed.
func answersNow(d Desk) int {
	switch {
	case d.OpenNow == nil:
		return 1
	case *d.OpenNow:
		return 0
	}
	return 2
}

// questions lists the follow-up questions of the types found, most useful
// first, with the answers known so far.
func (e *Engine) questions(types []*kb.Type, answers map[string]string, assumed map[string]bool, lang string) []Question {
	out := []Question{}
	seen := map[string]bool{}
	for _, t := range types {
		for _, id := range t.Questions {
			if seen[id] || len(out) >= maxQuestions {
				continue
			}
			seen[id] = true
			q := e.kb.Question(id)
			if q == nil {
				continue
			}
			qq := Question{ID: q.ID, Text: q.Text.In(lang), Answer: answers[q.ID], Assumed: assumed[q.ID]}
			for _, o := range q.Options {
				qq.Options = append(qq.Options, Option{Value: o.Value, Label: o.Label.In(lang)})
			}
			out = append(out, qq)
		}
	}
	return out
}
