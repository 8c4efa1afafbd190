package triage

import (
	"slices"
	"sync"

	"github.com/kakekomi/kakekomi/internal/jatext"
)

// phrases holds every phrase of the knowledge base, folded, indexed by its
// first one or two runes so that a text is scanned once, whatever the number
// of phrases.
type phrases struct {
	list  [][]rune
	ids   map[string]int
	byOne map[rune][]int
	byTwo map[[2]rune][]int
}

func newPhrases() *phrases {
	return &phrases{ids: map[string]int{}, byOne: map[rune][]int{}, byTwo: map[[2]rune][]int{}}
}

// add folds p and returns its id, or -1 when it folds to nothing.
func (ps *phrases) add(p string) int {
	f := jatext.Phrase(p)
	if f == "" {
		return -1
	}
	if id, ok := ps.ids[f]; ok {
		return id
	}
	r := []rune(f)
	id := len(ps.list)
	ps.list = append(ps.list, r)
	ps.ids[f] = id
	if len(r) == 1 {
		ps.byOne[r[0]] = append(ps.byOne[r[0]], id)
	} else {
		k := [2]rune{r[0], r[1]}
		ps.byTwo[k] = append(ps.byTwo[k], id)
	}
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

// hits is the result of scanning a text: for each phrase id, where it first
// occurs in the folded text (rune index), or -1.
type hits struct {
	at   []int
	text *jatext.Folded
	buf  *[]int // where at came from, for the pool
}

// hitPool recycles the per-text table of phrase positions, which is as long
// as the knowledge base has phrases.
var hitPool sync.Pool

func (ps *phrases) scan(f *jatext.Folded) hits {
	buf, _ := hitPool.Get().(*[]int)
	if buf == nil || cap(*buf) < len(ps.list) {
		buf = new([]int)
		*buf = make([]int, len(ps.list))
	}
	h := hits{at: (*buf)[:len(ps.list)], text: f, buf: buf}
	for i := range h.at {
		h.at[i] = -1
	}
	rs := f.Runes
	mark := func(ids []int, i int) {
		for _, id := range ids {
			if h.at[id] >= 0 {
				continue
			}
			p := ps.list[id]
			if i+len(p) > len(rs) {
				continue
			}
			if equal(rs[i:i+len(p)], p) {
				h.at[id] = i
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
	return h
}

func equal(a, b []rune) bool {
	for i := range b {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func (h hits) any(ids []int) (int, bool) {
	for _, id := range ids {
		if h.at[id] >= 0 {
			return id, true
		}
	}
	return -1, false
}

// release returns the table to the pool; h must not be used after.
func (h hits) release() { hitPool.Put(h.buf) }

// phrase returns the words of the original text that matched phrase id.
func (h hits) phrase(ps *phrases, id int) string {
	i := h.at[id]
	return h.text.Original(i, i+len(ps.list[id]))
}

// signal is a kb.Signal with its phrases folded and numbered.
type signal struct {
	any, none []int
	all       [][]int
	weight    float64
}

// match reports whether the signal matches, and the original words of the
// phrases that made it.
func (s *signal) match(ps *phrases, h hits) ([]string, bool) {
	if _, vetoed := h.any(s.none); vetoed {
		return nil, false
	}
	id, ok := h.any(s.any)
	if !ok {
		return nil, false
	}
	words := []string{h.phrase(ps, id)}
	for _, group := range s.all {
		gid, ok := h.any(group)
		if !ok {
			return nil, false
		}
		words = append(words, h.phrase(ps, gid))
	}
	return words, true
}

// score combines the weights of the matching signals as independent
// evidence, 1 - Π(1 - w), and gathers the matched words without repeats.
func score(sigs []signal, ps *phrases, h hits) (float64, []string) {
	miss := 1.0
	var words []string
	for i := range sigs {
		w, ok := sigs[i].match(ps, h)
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
