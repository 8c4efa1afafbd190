// Package classify ranks labels for a text with a linear model over hashed
// character n-grams of the folded text. Character n-grams need no
// dictionary, so they cost nothing to load and still meet conjugations,
// spelling variants and typos half-way; a model trained on many labelled
// texts weighs them instead of a person writing phrase lists.
package classify

import (
	"slices"
	"unicode"

	"github.com/kakekomi/kakekomi/internal/jatext"
)

// Feature is one n-gram of a text: its hash and where it stands in the
// folded text.
type Feature struct {
	Hash       uint32
	Start, End int // rune positions in the folded text
}

// Doc is a text made ready for a model: its folded form and its features,
// each distinct hash once (at its first position).
type Doc struct {
	Folded   *jatext.Folded
	Features []Feature // n-grams, then extra features (hashed names, at 0..0)

	rowsFor *Model // the model rows was resolved for
	rows    []int32
}

// NewDoc folds text and takes its n-grams of minN to maxN runes, plus whole
// Latin words, which character n-grams of an English text cut too finely.
func NewDoc(text string, minN, maxN int, extra ...string) *Doc {
	return FromFolded(jatext.FoldExact(text), minN, maxN).With(extra...)
}

// FromFolded makes a Doc of a text already folded by jatext.FoldExact.
func FromFolded(f *jatext.Folded, minN, maxN int) *Doc {
	d := &Doc{Folded: f}
	rs := f.Runes
	seen := make(map[uint32]bool, len(rs)*(maxN-minN+1))
	add := func(h uint32, i, j int) {
		if !seen[h] {
			seen[h] = true
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
	out := &Doc{Folded: d.Folded, Features: slices.Grow(slices.Clip(d.Features), len(extra))}
	for _, x := range extra {
		h := hashString(x)
		if !slices.ContainsFunc(out.Features[len(d.Features):], func(f Feature) bool { return f.Hash == h }) {
			out.Features = append(out.Features, Feature{Hash: h})
		}
	}
	return out
}

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
