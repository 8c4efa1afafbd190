package mailcheck

import (
	"sort"
	"strings"

	"golang.org/x/net/publicsuffix"

	"github.com/kakekomi/kakekomi/internal/jatext"
	"github.com/kakekomi/kakekomi/internal/kb"
)

// brandIndex finds the brands a message names and tells which hosts
// belong to them.
type brandIndex struct {
	names      []brandName            // folded names, longest first
	domains    map[string][]*kb.Brand // registrable or full domain -> brands using it
	tokens     []brandToken           // skeletons of brand words, for lookalike domains
	domainList []brandDomain          // the same domains as a list, longest first
}

type brandName struct {
	folded string
	ascii  bool // needs word boundaries: "au" must not match inside "August"
	brand  *kb.Brand
}

type brandDomain struct {
	domain string
	brand  *kb.Brand
}

// brandToken is a word a fake domain borrows from a brand: the first label
// of a real domain (amazon, kuronekoyamato, sagawa-exp) or a Latin name
// (smbc, paypay).
type brandToken struct {
	skel  string // skeleton, see skeleton
	raw   string
	brand *kb.Brand
}

func newBrandIndex(brands []*kb.Brand) *brandIndex {
	x := &brandIndex{domains: map[string][]*kb.Brand{}}
	seen := map[string]bool{}
	addToken := func(raw string, b *kb.Brand) {
		raw = strings.ToLower(raw)
		if len(raw) < 3 || !isASCIIWord(raw) || seen[raw+"\x00"+b.ID] {
			return
		}
		seen[raw+"\x00"+b.ID] = true
		x.tokens = append(x.tokens, brandToken{skel: skeleton(raw), raw: raw, brand: b})
	}
	for _, b := range brands {
		for _, n := range b.Names {
			f := jatext.Phrase(n)
			x.names = append(x.names, brandName{folded: f, ascii: isASCII(f), brand: b})
			addToken(strings.ReplaceAll(f, " ", ""), b)
		}
		for _, d := range b.Domains {
			x.domains[d] = append(x.domains[d], b)
			x.domainList = append(x.domainList, brandDomain{d, b})
			site, err := publicsuffix.EffectiveTLDPlusOne(d)
			if err != nil {
				continue
			}
			addToken(strings.SplitN(site, ".", 2)[0], b)
		}
	}
	sort.SliceStable(x.tokens, func(i, j int) bool { return len(x.tokens[i].skel) > len(x.tokens[j].skel) })
	sort.SliceStable(x.domainList, func(i, j int) bool { return len(x.domainList[i].domain) > len(x.domainList[j].domain) })
	sort.SliceStable(x.names, func(i, j int) bool { return len(x.names[i].folded) > len(x.names[j].folded) })
	return x
}

// maxHits bounds the brand names looked at in one text, so that a text made
// of one name repeated costs no more than a page.
const maxHits = 64

// mentions returns the brands named in the folded text, in order of first
// appearance; a name inside a longer one (楽天 in 楽天カード) does not count.
func (x *brandIndex) mentions(folded string) []*kb.Brand {
	type hit struct {
		at, end int
		b       *kb.Brand
	}
	var hits []hit
	covered := func(i, j int) bool {
		for _, h := range hits {
			if i < h.end && j > h.at {
				return true
			}
		}
		return false
	}
	for _, n := range x.names {
		for from := 0; from < len(folded) && len(hits) < maxHits; {
			i := strings.Index(folded[from:], n.folded)
			if i < 0 {
				break
			}
			i += from
			j := i + len(n.folded)
			from = j
			if n.ascii && !(boundary(folded, i-1) && boundary(folded, j)) {
				continue
			}
			if !covered(i, j) {
				hits = append(hits, hit{i, j, n.brand})
			}
		}
	}
	sort.Slice(hits, func(i, j int) bool { return hits[i].at < hits[j].at })
	var out []*kb.Brand
	for _, h := range hits {
		if !containsBrand(out, h.b) {
			out = append(out, h.b)
		}
	}
	return out
}

// owners returns the brands that really use host (a lower-case ASCII host
// name): the host is one of their domains or below one.
func (x *brandIndex) owners(host string) []*kb.Brand {
	for h := host; h != ""; {
		if bs, ok := x.domains[h]; ok {
			return bs
		}
		i := strings.IndexByte(h, '.')
		if i < 0 {
			break
		}
		h = h[i+1:]
	}
	return nil
}

// owns reports whether b really uses host.
func (x *brandIndex) owns(b *kb.Brand, host string) bool {
	return containsBrand(x.owners(host), b)
}

func containsBrand(bs []*kb.Brand, b *kb.Brand) bool {
	for _, x := range bs {
		if x == b {
			return true
		}
	}
	return false
}

// boundary reports whether the byte at i of s is not part of a Latin word
// (or lies outside s).
func boundary(s string, i int) bool {
	if i < 0 || i >= len(s) {
		return true
	}
	c := s[i]
	return !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9')
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func isASCIIWord(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
