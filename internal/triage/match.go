package triage

import (
	"slices"
	"sync"

	"github.com/kakekomi/kakekomi/internal/classify"
	"github.com/kakekomi/kakekomi/internal/jatext"
)

// phrases holds every phrase of the knowledge base, each in two folded
// forms (with and without okurigana, see jatext.FoldExact), as patterns
// indexed by their first one or two runes so that a text is scanned once
// per form, whatever the number of phrases.
type phrases struct {
	patterns [][]rune
	patIDs   map[string]int
	byOne    map[rune][]int
	byTwo    map[[2]rune][]int
	forms    [][2]int // per phrase id: the pattern of its exact and its loose form
	ids      map[string]int
}

func newPhrases() *phrases {
	return &phrases{patIDs: map[string]int{}, byOne: map[rune][]int{}, byTwo: map[[2]rune][]int{}, ids: map[string]int{}}
}

func (ps *phrases) pattern(f string) int {
	if id, ok := ps.patIDs[f]; ok {
		return id
	}
	r := []rune(f)
	id := len(ps.patterns)
	ps.patterns = append(ps.patterns, r)
	ps.patIDs[f] = id
	if len(r) == 1 {
		ps.byOne[r[0]] = append(ps.byOne[r[0]], id)
	} else {
		k := [2]rune{r[0], r[1]}
		ps.byTwo[k] = append(ps.byTwo[k], id)
	}
	return id
}

// add folds p and returns its id, or -1 when it folds to nothing.
func (ps *phrases) add(p string) int {
	exact, loose := jatext.PhraseExact(p), jatext.Phrase(p)
	if loose == "" {
		return -1
	}
	key := exact + "\x00" + loose
	if id, ok := ps.ids[key]; ok {
		return id
	}
	id := len(ps.forms)
	ps.forms = append(ps.forms, [2]int{ps.pattern(exact), ps.pattern(loose)})
	ps.ids[key] = id
	return id
}

func (ps *phrases) addAll(list []string) []int {
	ids := make([]int, 0, len(list))
	for _, p := range list {
		if id := ps.add(p); id >= 0 {
			ids = append(ids, id)
		}
	}
	return ids
}

// hits is the result of scanning a text in both forms: for each pattern,
// where it first occurs in each folded text (rune index), or -1.
type hits struct {
	ps           *phrases
	exact, loose []int
	exactText    *jatext.Folded
	looseText    *jatext.Folded
	grams        *classify.Doc // the n-grams of exactText, for the models
	buf          *[]int        // where exact and loose came from, for the pool
}

// hitPool recycles the per-text tables of pattern positions, which are as
// long as the knowledge base has patterns.
var hitPool sync.Pool

func (ps *phrases) scan(text string) hits {
	n := len(ps.patterns)
	buf, _ := hitPool.Get().(*[]int)
	if buf == nil || cap(*buf) < 2*n {
		buf = new([]int)
		*buf = make([]int, 2*n)
	}
	exact := jatext.FoldExact(text)
	h := hits{ps: ps, buf: buf, exact: (*buf)[:n], loose: (*buf)[n : 2*n],
		exactText: exact, looseText: exact.DropOkurigana(), grams: classify.FromFolded(exact, minGram, maxGram)}
	ps.find(h.exactText.Runes, h.exact)
	ps.find(h.looseText.Runes, h.loose)
	return h
}

// find records in at where each pattern first occurs in rs.
func (ps *phrases) find(rs []rune, at []int) {
	for i := range at {
		at[i] = -1
	}
	mark := func(ids []int, i int) {
		for _, id := range ids {
			if at[id] >= 0 {
				continue
			}
			p := ps.patterns[id]
			if i+len(p) <= len(rs) && equal(rs[i:i+len(p)], p) {
				at[id] = i
			}
		}
	}
	for i := range rs {
		if ids, ok := ps.byOne[rs[i]]; ok {
			mark(ids, i)
		}
		if i+1 < len(rs) {
			if ids, ok := ps.byTwo[[2]rune{rs[i], rs[i+1]}]; ok {
				mark(ids, i)
			}
		}
	}
}

func equal(a, b []rune) bool {
	for i := range b {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// release returns the tables to the pool; h must not be used after.
func (h hits) release() { hitPool.Put(h.buf) }

// any returns the first of the phrases found in either form.
func (h hits) any(ids []int) (int, bool) {
	for _, id := range ids {
		f := h.ps.forms[id]
		if h.exact[f[0]] >= 0 || h.loose[f[1]] >= 0 {
			return id, true
		}
	}
	return -1, false
}

// phrase returns the words of the original text that matched phrase id.
func (h hits) phrase(id int) string {
	f := h.ps.forms[id]
	if i := h.exact[f[0]]; i >= 0 {
		return h.exactText.Original(i, i+len(h.ps.patterns[f[0]]))
	}
	i := h.loose[f[1]]
	return h.looseText.Original(i, i+len(h.ps.patterns[f[1]]))
}

// signal is a kb.Signal with its phrases folded and numbered.
type signal struct {
	any, none []int
	all       [][]int
	weight    float64
}

// match reports whether the signal matches, and the original words of the
// phrases that made it.
func (s *signal) match(h hits) ([]string, bool) {
	if _, vetoed := h.any(s.none); vetoed {
		return nil, false
	}
	id, ok := h.any(s.any)
	if !ok {
		return nil, false
	}
	words := []string{h.phrase(id)}
	for _, group := range s.all {
		gid, ok := h.any(group)
		if !ok {
			return nil, false
		}
		words = append(words, h.phrase(gid))
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
