package mailcheck

import (
	"strings"
	"unicode/utf8"

	"github.com/kakekomi/kakekomi/internal/jatext"
	"github.com/kakekomi/kakekomi/internal/kb"
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
// with its phrases folded like the text.
type phraseGroup struct {
	*kb.PhraseGroup
	class class
	any   []string
	all   [][]string
}

// foldGroups returns the knowledge base's groups with their phrases folded.
func foldGroups(gs []*kb.PhraseGroup) []*phraseGroup {
	out := make([]*phraseGroup, len(gs))
	for i, g := range gs {
		out[i] = &phraseGroup{PhraseGroup: g, class: classes[g.Class], any: foldAll(g.Any)}
		for _, l := range g.All {
			out[i].all = append(out[i].all, foldAll(l))
		}
	}
	return out
}

func foldAll(ps []string) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = jatext.Phrase(p)
	}
	return out
}

// match returns the phrases of g found in the folded text, in the words of
// the original, or nil. text is folded.String().
func (c *Checker) match(g *phraseGroup, folded *jatext.Folded, text string) []string {
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
	find := func(list []string) bool {
		ok := false
		for _, p := range list {
			for from := 0; from < len(text); {
				i := strings.Index(text[from:], p)
				if i < 0 {
					break
				}
				i += from
				from = i + len(p)
				if g.UnlessDenied && c.denied(text, i) {
					continue
				}
				ok = true
				if overlaps(i, i+len(p)) {
					break
				}
				spans = append(spans, [2]int{i, i + len(p)})
				ri := utf8.RuneCountInString(text[:i])
				if o := folded.Original(ri, ri+utf8.RuneCountInString(p)); len(found) < 3 && !contains(found, o) {
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

// denied reports whether the sentence around byte i of the folded text
// says the thing is never asked for, with one of the knowledge base's
// denials. Only 300 bytes either side are read,
// so that a huge text without full stops costs no more than a short one.
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
