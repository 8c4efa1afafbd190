package mailcheck

import (
	"strings"
	"unicode/utf8"

	"github.com/kakekomi/kakekomi/internal/jatext"
	"github.com/kakekomi/kakekomi/internal/kb"
	"github.com/kakekomi/kakekomi/internal/phrase"
)

// class says which verdict a signal speaks for.
type class int

const (
	classAny   class = iota // any scam: pressure, hidden or doubtful links
	classPhish              // impersonation to take credentials, card data or money
	classFraud              // fictitious billing, one-click, sakura sites, fake support
	classSpam               // advertising
)

// classes maps the knowledge base's phrase classes (kb.PhraseClasses).
var classes = map[string]class{"scam": classAny, "phishing": classPhish, "fraud": classFraud, "spam": classSpam}

// phraseGroup is a kind of wording that scam messages use (kb.PhraseGroup),
// with its phrases numbered in the checker's phrase set.
type phraseGroup struct {
	*kb.PhraseGroup
	class class
	any   []int
	all   [][]int
}

// newPhrases puts the phrases of the knowledge base's groups in one set.
// The checker reads the loose form of a text alone: its rules and the
// message model were made on it, and the exact form would find more
// (お荷物 right after a kanji), which needs the model retrained.
func newPhrases(gs []*kb.PhraseGroup) (*phrase.Set, []*phraseGroup) {
	ps := phrase.New(phrase.Loose)
	out := make([]*phraseGroup, len(gs))
	for i, g := range gs {
		out[i] = &phraseGroup{PhraseGroup: g, class: classes[g.Class], any: ps.AddAll(g.Any)}
		for _, l := range g.All {
			out[i].all = append(out[i].all, ps.AddAll(l))
		}
	}
	return ps, out
}

// match returns the phrases of g found in h, in the words of the original,
// or nil. text is h.Loose.String().
func (c *Checker) match(g *phraseGroup, h *phrase.Hits, text string) []string {
	var found []string
	var spans [][2]int // where the words found are, so that 未納 inside 未納料金 is not counted twice
	overlaps := func(i, j int) bool {
		for _, sp := range spans {
			if i < sp[1] && j > sp[0] {
				return true
			}
		}
		return false
	}
	// Byte offsets of the folded text's runes, made once when a denial is
	// first looked for, so that a text repeating a denied phrase costs
	// linear time, not a walk from its start for every hit.
	var offsets []int
	byteOffset := func(rs []rune, i int) int {
		if offsets == nil {
			offsets = make([]int, len(rs)+1)
			for k, r := range rs {
				offsets[k+1] = offsets[k] + utf8.RuneLen(r)
			}
		}
		return offsets[i]
	}
	find := func(list []int) bool {
		ok := false
		for _, id := range list {
			for m, hit := h.First(id); hit; m, hit = h.Next(m) {
				if g.UnlessDenied && c.denied(text, byteOffset(m.Text.Runes, m.Start)) {
					continue
				}
				ok = true
				if overlaps(m.Start, m.End) {
					break
				}
				spans = append(spans, [2]int{m.Start, m.End})
				if o := m.Words(); len(found) < 3 && !contains(found, o) {
					found = append(found, o)
				}
				break
			}
		}
		return ok
	}
	if len(g.any) > 0 && !find(g.any) {
		return nil
	}
	for _, l := range g.all {
		if !find(l) {
			return nil
		}
	}
	return found
}

func foldAll(ps []string) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = jatext.Phrase(p)
	}
	return out
}

// denied reports whether the sentence around byte i of the folded text
// says the thing is never asked for, with one of the knowledge base's
// denials. Only 300 bytes either side are read, so that a huge text
// without full stops costs no more than a short one.
func (c *Checker) denied(text string, i int) bool {
	lo, hi := max(0, i-300), min(len(text), i+300)
	for lo > 0 && !utf8.RuneStart(text[lo]) {
		lo--
	}
	for hi < len(text) && !utf8.RuneStart(text[hi]) {
		hi++
	}
	start := lo + strings.LastIndexAny(text[lo:i], "。\n!?") + 1
	end := strings.IndexAny(text[i:hi], "。\n!?")
	if end < 0 {
		end = hi
	} else {
		end += i
	}
	s := text[start:end]
	for _, d := range c.denials {
		if strings.Contains(s, d) {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
