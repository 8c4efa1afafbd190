// Package classify ranks labels for a text with a linear model over hashed
// character n-grams of the folded text. Character n-grams need no
// dictionary, so they cost nothing to load and still meet conjugations,
// spelling variants and typos half-way; a model trained on many labelled
// texts weighs them instead of a person writing phrase lists.
package classify

import (
	"slices"
	"sync"
	"unicode"

	"github.com/kakekomi/kakekomi/internal/jatext"
)

// Feature is one n-gram of a text: its hash and where it stands in the
// folded text.
type Feature struct {
	Hash       uint32
	Start, End int // rune positions in the folded text
}

// Doc is a text made ready for a model: its folded form, its n-grams and
// its extra features.
type Doc struct {
	Folded *jatext.Folded
	// Features are the n-grams, each distinct hash once (at its first
	// position); the Docs that With makes share them.
	Features []Feature
	Extra    []uint32 // hashes of the extra features' names

	rowsFor *Model // the model rows was resolved for
	rows    []int32
}

// hashes calls f with the hash of every feature, the n-grams first: the
// order the model's rows are resolved in.
func (d *Doc) hashes(f func(uint32)) {
	for _, ft := range d.Features {
		f(ft.Hash)
	}
	for _, h := range d.Extra {
		f(h)
	}
}

// NewDoc folds text and takes its n-grams of minN to maxN runes, plus whole
// Latin words, which character n-grams of an English text cut too finely.
func NewDoc(text string, minN, maxN int, extra ...string) *Doc {
	return FromFolded(jatext.FoldExact(text), minN, maxN).With(extra...)
}

// FromFolded makes a Doc of a text already folded by jatext.FoldExact.
func FromFolded(f *jatext.Folded, minN, maxN int) *Doc {
	rs := f.Runes
	most := len(rs) / (maxN + 1) // Latin words longer than maxN
	for n := minN; n <= maxN; n++ {
		most += max(len(rs)-n+1, 0)
	}
	d := &Doc{Folded: f, Features: make([]Feature, 0, most)}
	seen := newHashSet(most)
	defer seen.release()
	add := func(h uint32, i, j int) {
		if seen.add(h) {
			d.Features = append(d.Features, Feature{Hash: h, Start: i, End: j})
		}
	}
	for n := minN; n <= maxN; n++ {
		for i := 0; i+n <= len(rs); i++ {
			if !useful(rs[i : i+n]) {
				continue
			}
			add(hashRunes(uint32(n), rs[i:i+n]), i, i+n)
		}
	}
	for i := 0; i < len(rs); {
		if !isLatin(rs[i]) {
			i++
			continue
		}
		j := i
		for j < len(rs) && isLatin(rs[j]) {
			j++
		}
		if j-i > maxN {
			add(hashRunes(0x77, rs[i:j]), i, j)
		}
		i = j
	}
	return d
}

// With returns a Doc of the same text and n-grams with the extra features
// added, for a second model that reads the same text with other features.
func (d *Doc) With(extra ...string) *Doc {
	out := &Doc{Folded: d.Folded, Features: d.Features, Extra: slices.Grow(slices.Clone(d.Extra), len(extra))}
	for _, x := range extra {
		if h := hashString(x); !slices.Contains(out.Extra[len(d.Extra):], h) {
			out.Extra = append(out.Extra, h)
		}
	}
	return out
}

// hashSet is a set of hashes by open addressing, for the n-grams of one
// text: a map cost a fifth of a triage's allocations.
type hashSet struct {
	slots *[]uint32 // 0 is empty; the hash 0 is kept in zero
	zero  bool
}

var hashSets sync.Pool

// newHashSet returns an empty set for at most n hashes.
func newHashSet(n int) hashSet {
	size := 16
	for size < 2*n {
		size *= 2
	}
	slots, _ := hashSets.Get().(*[]uint32)
	if slots == nil || cap(*slots) < size {
		slots = new([]uint32)
		*slots = make([]uint32, size)
	}
	*slots = (*slots)[:size]
	clear(*slots)
	return hashSet{slots: slots}
}

// add adds h and reports whether it was new.
func (s *hashSet) add(h uint32) bool {
	if h == 0 {
		isNew := !s.zero
		s.zero = true
		return isNew
	}
	slots := *s.slots
	mask := uint32(len(slots) - 1)
	for i := (h * 2654435761) & mask; ; i = (i + 1) & mask {
		switch slots[i] {
		case h:
			return false
		case 0:
			slots[i] = h
			return true
		}
	}
}

func (s *hashSet) release() { hashSets.Put(s.slots) }

// useful drops n-grams made only of white space and punctuation, which say
// nothing about the trouble and are many.
func useful(rs []rune) bool {
	return slices.ContainsFunc(rs, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) })
}

func isLatin(r rune) bool { return r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)) }

// FNV-1a, seeded with the n-gram's length so that a bigram and a trigram
// never share a hash by construction.
func hashRunes(seed uint32, rs []rune) uint32 {
	h := uint32(2166136261) ^ seed
	for _, r := range rs {
		for k := 0; k < 3; k++ {
			h ^= uint32(r>>(8*k)) & 0xff
			h *= 16777619
		}
	}
	return h
}

func hashString(s string) uint32 {
	h := uint32(2166136261) ^ 0x5eed
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}
