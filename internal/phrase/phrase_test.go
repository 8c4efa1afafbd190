package phrase

import (
	"slices"
	"testing"

	"github.com/kakekomi/kakekomi/internal/jatext"
)

func TestFound(t *testing.T) {
	tests := []struct {
		phrase, text string
		want         bool
	}{
		{"子の裸", "小学生くらいの子の裸っぽい画像", true},
		{"垢", "インスタの垢を乗っ取られた", true},
		{"振り込", "5万円を振込みました", true},
		{"振込", "5万円を振り込んだ", true},
		{"画面に出た", "画面に出た番号に電話した", true},
		{"お届け物", "本日お届け物があります", true}, // exact form only: the loose text drops お after 日
		{"乗っ取", "のっとられた", false},
		{"アマゾン", "ｱﾏｿﾞﾝから", true},
		{"amazon", "AMAZONのメール", true},
		{"届かない", "商品が届いていない", false},
	}
	for _, tt := range tests {
		s := New(Exact | Loose)
		id := s.Add(tt.phrase)
		h := s.Scan(tt.text)
		m, got := h.Any([]int{id})
		if got != tt.want {
			t.Errorf("phrase %q in %q: found = %v, want %v", tt.phrase, tt.text, got, tt.want)
		}
		if got && m.Words() == "" {
			t.Errorf("phrase %q: no original words", tt.phrase)
		}
		h.Release()
	}
}

// TestLooseOnly checks that a Set of the loose form alone finds what that
// form shows and nothing the exact form alone would.
func TestLooseOnly(t *testing.T) {
	s := New(Loose)
	id := s.Add("お届け物")
	h := s.Scan("お届け物です。本日お届け物があります")
	defer h.Release()
	var words []string
	for m, ok := h.First(id); ok; m, ok = h.Next(m) {
		if m.Text != h.Loose {
			t.Fatalf("match in the exact form of a loose-only set")
		}
		words = append(words, m.Words())
	}
	if !slices.Equal(words, []string{"お届け物"}) {
		t.Errorf("found %q, want only the first お届け物", words)
	}
}

func TestFoldsToNothing(t *testing.T) {
	s := New(Exact | Loose)
	if id := s.Add(" \u3000\t"); id != -1 {
		t.Errorf("blank phrase got id %d", id)
	}
	if ids := s.AddAll([]string{"振込", " ", "振り込"}); len(ids) != 2 {
		t.Errorf("ids %v, want two", ids)
	}
}

// FuzzScan checks the indexed scan against a plain search of the folded
// text: the first occurrence in each form, then every later one that does
// not overlap the one before.
func FuzzScan(f *testing.F) {
	for _, s := range [][2]string{{"振り込", "5万円を振込みました振り込んだ"}, {"ああ", "あああああ"}, {"a", "AaＡ"}, {"お届け物", "本日お届け物"}, {"x", "\xff\xfex"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, p, text string) {
		for _, forms := range []Forms{Exact, Loose, Exact | Loose} {
			s := New(forms)
			id := s.Add(p)
			if id < 0 {
				if jatext.Phrase(p) != "" {
					t.Fatalf("phrase %q refused", p)
				}
				return
			}
			s.Scan(p + text + p).Release() // what a scan found must not stay for the next
			h := s.Scan(text)
			want := func(form *jatext.Folded, pattern string) []int {
				var at []int
				rs, pr := form.Runes, []rune(pattern)
				for i := 0; i+len(pr) <= len(rs); i++ {
					if slices.Equal(rs[i:i+len(pr)], pr) {
						at = append(at, i)
						i += len(pr) - 1
					}
				}
				return at
			}
			exact, loose := want(h.Exact, jatext.PhraseExact(p)), want(h.Loose, jatext.Phrase(p))
			var expect []int
			var in *jatext.Folded
			switch {
			case forms&Exact != 0 && len(exact) > 0:
				expect, in = exact, h.Exact
			case forms&Loose != 0 && len(loose) > 0:
				expect, in = loose, h.Loose
			}
			var got []int
			for m, ok := h.First(id); ok; m, ok = h.Next(m) {
				if m.Text != in {
					t.Fatalf("forms %d: match in the wrong form", forms)
				}
				got = append(got, m.Start)
			}
			if !slices.Equal(got, expect) {
				t.Fatalf("forms %d: phrase %q in %q at %v, want %v", forms, p, text, got, expect)
			}
			found := len(expect) > 0
			if h.Has(id) != found || h.HasAny([]int{id}) != found || slices.Contains(h.Found(), id) != found || len(h.Found()) > 1 {
				t.Fatalf("forms %d: phrase %q in %q: Has %v, Found %v; want found = %v", forms, p, text, h.Has(id), h.Found(), found)
			}
			h.Release()
		}
	})
}
