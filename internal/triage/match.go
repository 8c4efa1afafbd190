package triage

import (
	"github.com/kakekomi/kakekomi/internal/classify"
	"github.com/kakekomi/kakekomi/internal/phrase"
)

// hits is what a triage reads of a text, made once: the knowledge base's
// phrases found in it, in both folded forms, and the n-grams of its exact
// form, for the models.
type hits struct {
	*phrase.Hits
	grams *classify.Doc
	// cand tells, by signal id, the signals one of whose Any phrases
	// occurs: the only ones that may match, a few of hundreds.
	cand []bool
}

// scan reads text for the engine's phrases and models. Release the hits
// when done.
func (e *Engine) scan(text string) hits {
	h := hits{Hits: e.ps.Scan(text), cand: make([]bool, e.signals)}
	h.grams = classify.FromFolded(h.Exact, minGram, maxGram)
	for _, ph := range h.Found() {
		if ph < len(e.anyOf) {
			for _, sig := range e.anyOf[ph] {
				h.cand[sig] = true
			}
		}
	}
	return h
}

// signal is a kb.Signal with its phrases in the engine's phrase set.
type signal struct {
	id        int
	any, none []int
	all       [][]int
	weight    float64
}

// signal numbers a signal of the phrase ids given.
func (e *Engine) signal(anyOf, noneOf []int, all [][]int, weight float64) signal {
	s := signal{id: e.signals, any: anyOf, none: noneOf, all: all, weight: weight}
	e.signals++
	for _, ph := range anyOf {
		for len(e.anyOf) <= ph {
			e.anyOf = append(e.anyOf, nil)
		}
		e.anyOf[ph] = append(e.anyOf[ph], s.id)
	}
	return s
}

// match reports whether the signal matches.
func (s *signal) match(h hits) bool {
	if !h.cand[s.id] || h.HasAny(s.none) {
		return false
	}
	for _, group := range s.all {
		if !h.HasAny(group) {
			return false
		}
	}
	return true
}

// score combines the weights of the matching signals as independent
// evidence, 1 - Π(1 - w).
func score(sigs []signal, h hits) float64 {
	miss := 1.0
	for i := range sigs {
		if sigs[i].match(h) {
			miss *= 1 - sigs[i].weight
		}
	}
	return 1 - miss
}
