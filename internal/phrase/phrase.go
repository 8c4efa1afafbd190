// Package phrase finds many phrases in a text at once, as the knowledge
// base writes them: phrases and text are folded alike (package jatext), so
// that width, kana and case do not matter, in an exact form that keeps every
// kana and a loose one without okurigana between kanji, where 振り込んだ
// meets 振込.
//
// A Set indexes its phrases by their first one or two runes, so that a text
// is scanned once per form whatever the number of phrases.
package phrase

import (
	"slices"
	"sync"

	"github.com/kakekomi/kakekomi/internal/jatext"
)

// Forms says in which folded forms of a text a Set looks for its phrases.
type Forms uint8

const (
	// Exact keeps every kana (jatext.FoldExact). It finds a phrase whose
	// first kana follows a kanji in the text (本日お届け物), which the loose
	// form drops.
	Exact Forms = 1 << iota
	// Loose drops okurigana between kanji (jatext.Fold).
	Loose
)

// Set is a set of phrases to look for. Add every phrase before the first
// Scan; after that, a Set is safe for use by several goroutines.
type Set struct {
	forms    Forms
	patterns [][]rune
	patIDs   map[string]int
	byOne    map[uint64][]int32 // while phrases are added; the first Scan indexes them in one and two
	byTwo    map[uint64][]int32
	index    sync.Once
	one, two startIndex
	phrases  [][2]int // per phrase id: the pattern of its exact and its loose form, -1 for a form not compared
	// exactOf and looseOf list, per pattern, the phrases whose exact or
	// loose form it is, so that a Scan marks what it found.
	exactOf, looseOf [][]int
	ids              map[string]int
	written          map[string]int // phrase as written to id: most phrases recur in many signals
	pool             sync.Pool      // of *Hits, whose tables are as long as the Set has patterns
}

// New returns an empty Set that looks in the given forms of a text.
func New(forms Forms) *Set {
	return &Set{forms: forms, patIDs: map[string]int{}, byOne: map[uint64][]int32{}, byTwo: map[uint64][]int32{}, ids: map[string]int{}, written: map[string]int{}}
}

func (s *Set) pattern(f string) int {
	if id, ok := s.patIDs[f]; ok {
		return id
	}
	r := []rune(f)
	id := len(s.patterns)
	s.patterns = append(s.patterns, r)
	s.exactOf, s.looseOf = append(s.exactOf, nil), append(s.looseOf, nil)
	s.patIDs[f] = id
	if len(r) == 1 {
		s.byOne[uint64(r[0])] = append(s.byOne[uint64(r[0])], int32(id))
	} else {
		k := runeKey(r[0], r[1])
		s.byTwo[k] = append(s.byTwo[k], int32(id))
	}
	return id
}

// Add folds p and returns its id, or -1 when it folds to nothing. A phrase
// added twice, or two that fold alike, get the same id.
func (s *Set) Add(p string) int {
	if id, ok := s.written[p]; ok {
		return id
	}
	id := s.add(p)
	s.written[p] = id
	return id
}

// add folds p once for both forms: folding is most of the time a Set of
// the knowledge base's phrases takes to build.
func (s *Set) add(p string) int {
	folded := jatext.FoldExact(p)
	loose := folded.DropOkurigana().String()
	if loose == "" {
		return -1
	}
	forms := [2]int{-1, -1}
	exact := ""
	if s.forms&Exact != 0 {
		exact = folded.String()
	}
	key := exact + "\x00" + loose
	if id, ok := s.ids[key]; ok {
		return id
	}
	id := len(s.phrases)
	if s.forms&Exact != 0 {
		forms[0] = s.pattern(exact)
		s.exactOf[forms[0]] = append(s.exactOf[forms[0]], id)
	}
	if s.forms&Loose != 0 {
		forms[1] = s.pattern(loose)
		s.looseOf[forms[1]] = append(s.looseOf[forms[1]], id)
	}
	s.phrases = append(s.phrases, forms)
	s.ids[key] = id
	return id
}

// AddAll adds every phrase of list and returns their ids, leaving out
// those that fold to nothing.
func (s *Set) AddAll(list []string) []int {
	ids := make([]int, 0, len(list))
	for _, p := range list {
		if id := s.Add(p); id >= 0 {
			ids = append(ids, id)
		}
	}
	return ids
}

// Hits are the phrases of a Set found in one text.
type Hits struct {
	// Exact and Loose are the text folded in both forms, whichever forms
	// the Set compares. They are the caller's to keep after Release.
	Exact, Loose *jatext.Folded
	set          *Set
	// exactAt and looseAt hold, per pattern, where it first occurs in
	// Exact and in Loose (rune index), or -1; marked lists the patterns
	// set in each, which the next Scan resets: a text has a few dozen of
	// the thousands of patterns.
	exactAt, looseAt         []int
	exactMarked, looseMarked []int32
	// found tells, per phrase, whether it occurs in either form: a caller
	// that weighs many phrase lists asks this more than anything. foundIDs
	// lists those phrases.
	found    []bool
	foundIDs []int
}

// Scan folds text and finds where each phrase of s first occurs in it.
// Release the Hits when done.
func (s *Set) Scan(text string) *Hits {
	s.index.Do(func() { s.one, s.two = newStartIndex(s.byOne, s.patterns), newStartIndex(s.byTwo, s.patterns) })
	n := len(s.patterns)
	h, _ := s.pool.Get().(*Hits)
	if h == nil || len(h.exactAt) != n || len(h.found) != len(s.phrases) {
		buf := make([]int, 2*n)
		for i := range buf {
			buf[i] = -1
		}
		h = &Hits{set: s, exactAt: buf[:n], looseAt: buf[n:], found: make([]bool, len(s.phrases))}
	}
	h.reset()
	h.Exact = jatext.FoldExact(text)
	h.Loose = h.Exact.DropOkurigana()
	if s.forms&Exact != 0 {
		s.find(h.Exact.Runes, h.exactAt, &h.exactMarked, s.exactOf, h)
	}
	if s.forms&Loose != 0 {
		s.find(h.Loose.Runes, h.looseAt, &h.looseMarked, s.looseOf, h)
	}
	return h
}

// reset undoes what the last Scan with h found.
func (h *Hits) reset() {
	for _, p := range h.exactMarked {
		h.exactAt[p] = -1
	}
	for _, p := range h.looseMarked {
		h.looseAt[p] = -1
	}
	for _, ph := range h.foundIDs {
		h.found[ph] = false
	}
	h.exactMarked, h.looseMarked, h.foundIDs = h.exactMarked[:0], h.looseMarked[:0], h.foundIDs[:0]
}

// find records in at where each pattern first occurs in rs, listing it in
// marked, and marks in h the phrases that a pattern found is a form of, as
// of says.
func (s *Set) find(rs []rune, at []int, marked *[]int32, of [][]int, h *Hits) {
	mark := func(x *startIndex, b, i int) {
		for k := x.start[b]; k < x.start[b+1]; k++ {
			e := x.entries[k]
			if at[e.id] >= 0 {
				continue
			}
			if p := x.runes[e.from:e.to]; i+len(p) <= len(rs) && equal(rs[i:i+len(p)], p) {
				id := e.id
				at[id] = i
				*marked = append(*marked, id)
				for _, ph := range of[id] {
					if !h.found[ph] {
						h.found[ph] = true
						h.foundIDs = append(h.foundIDs, ph)
					}
				}
			}
		}
	}
	for i := range rs {
		mark(&s.one, s.one.bucket(uint64(rs[i])), i)
		if i+1 < len(rs) {
			mark(&s.two, s.two.bucket(runeKey(rs[i], rs[i+1])), i)
		}
	}
}

func runeKey(a, b rune) uint64 { return uint64(a)<<32 | uint64(b) }

// startIndex finds the patterns that may start with a key (of one or two
// runes) in an array indexed by the key's hash: a map lookup at every
// rune of a text took a tenth of a triage. A bucket's patterns lie side by
// side, runes included, so that comparing them reads memory in order; a
// bucket may hold patterns of other keys, which find's comparison sets
// aside.
type startIndex struct {
	shift   uint
	start   []int32 // bucket b holds entries[start[b]:start[b+1]]
	entries []startEntry
	runes   []rune
}

// startEntry is a pattern and where its runes are in startIndex.runes.
type startEntry struct{ id, from, to int32 }

func newStartIndex(byKey map[uint64][]int32, patterns [][]rune) startIndex {
	x := startIndex{shift: 64}
	for 1<<(64-x.shift) < 2*len(byKey) {
		x.shift--
	}
	buckets := make([][]int32, 1<<(64-x.shift))
	for k, ids := range byKey {
		b := x.bucket(k)
		buckets[b] = append(buckets[b], ids...)
	}
	x.start = make([]int32, len(buckets)+1)
	for b, ids := range buckets {
		slices.Sort(ids) // patterns in the order they were added, whatever the map's order
		for _, id := range ids {
			from := int32(len(x.runes))
			x.runes = append(x.runes, patterns[id]...)
			x.entries = append(x.entries, startEntry{id, from, int32(len(x.runes))})
		}
		x.start[b+1] = int32(len(x.entries))
	}
	return x
}

func (x *startIndex) bucket(k uint64) int {
	if x.shift == 64 {
		return 0
	}
	return int((k * 0x9e3779b97f4a7c15) >> x.shift)
}

func equal(a, b []rune) bool {
	for i := range b {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Release returns h to its Set for another Scan; h must not be used after.
func (h *Hits) Release() {
	h.Exact, h.Loose = nil, nil
	h.set.pool.Put(h)
}

// Match is one place where a phrase occurs: runes Start to End of Text,
// which is the Exact or the Loose form of the scanned text.
type Match struct {
	Text       *jatext.Folded
	Start, End int
	pattern    int
}

// Words returns the words of the original text that matched.
func (m Match) Words() string { return m.Text.Original(m.Start, m.End) }

// First returns where phrase id first occurs: in the exact form if it does
// there, else in the loose form.
func (h *Hits) First(id int) (Match, bool) {
	f := h.set.phrases[id]
	if p := f[0]; p >= 0 && h.exactAt[p] >= 0 {
		return h.match(h.Exact, p, h.exactAt[p]), true
	}
	if p := f[1]; p >= 0 && h.looseAt[p] >= 0 {
		return h.match(h.Loose, p, h.looseAt[p]), true
	}
	return Match{}, false
}

// Next returns the next occurrence of m's phrase in the same form, starting
// at or after m.End.
func (h *Hits) Next(m Match) (Match, bool) {
	p, rs := h.set.patterns[m.pattern], m.Text.Runes
	for i := m.End; i+len(p) <= len(rs); i++ {
		if equal(rs[i:i+len(p)], p) {
			return h.match(m.Text, m.pattern, i), true
		}
	}
	return Match{}, false
}

func (h *Hits) match(text *jatext.Folded, pattern, at int) Match {
	return Match{Text: text, Start: at, End: at + len(h.set.patterns[pattern]), pattern: pattern}
}

// Found returns the phrases that occur in either form, each once, in no
// particular order.
func (h *Hits) Found() []int { return h.foundIDs }

// Has reports whether phrase id occurs in either form.
func (h *Hits) Has(id int) bool { return h.found[id] }

// HasAny reports whether any phrase of ids occurs in either form.
func (h *Hits) HasAny(ids []int) bool {
	for _, id := range ids {
		if h.found[id] {
			return true
		}
	}
	return false
}

// Any returns the first occurrence of the first phrase of ids found.
func (h *Hits) Any(ids []int) (Match, bool) {
	for _, id := range ids {
		if m, ok := h.First(id); ok {
			return m, true
		}
	}
	return Match{}, false
}
