package triage

import (
	"slices"

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

// match reports whether the signal matches, and the original words of the
// phrases that made it.
func (s *signal) match(h hits) ([]string, bool) {
	if _, vetoed := h.Any(s.none); vetoed {
		return nil, false
	}
	m, ok := h.Any(s.any)
	if !ok {
		return nil, false
	}
	words := []string{m.Words()}
	for _, group := range s.all {
		m, ok := h.Any(group)
		if !ok {
			return nil, false
		}
		words = append(words, m.Words())
	}
	return words, true
}

// score combines the weights of the matching signals as independent
// evidence, 1 - Π(1 - w), and gathers the matched words without repeats.
func score(sigs []signal, h hits) (float64, []string) {
	miss := 1.0
	var words []string
	for i := range sigs {
		w, ok := sigs[i].match(h)
		if !ok {
			continue
		}
		miss *= 1 - sigs[i].weight
		for _, x := range w {
			if !slices.Contains(words, x) {
				words = append(words, x)
			}
		}
	}
	return 1 - miss, words
}
