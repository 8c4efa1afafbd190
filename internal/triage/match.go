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
}

// scan reads text for the engine's phrases and models. Release the hits
// when done.
func (e *Engine) scan(text string) hits {
	h := e.ps.Scan(text)
	return hits{Hits: h, grams: classify.FromFolded(h.Exact, minGram, maxGram)}
}

// signal is a kb.Signal with its phrases in the engine's phrase set.
type signal struct {
	any, none []int
	all       [][]int
	weight    float64
}

// match reports whether the signal matches.
func (s *signal) match(h hits) bool {
	if h.HasAny(s.none) || !h.HasAny(s.any) {
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
