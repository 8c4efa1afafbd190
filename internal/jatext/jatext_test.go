package jatext

import (
	"testing"
	"unicode"
)

func TestFoldMeetsSpellings(t *testing.T) {
	tests := []struct{ a, b string }{
		{"振り込みました", "振込"},
		{"振り込んだ", "振り込"},
		{"振込", "振り込"},
		{"ｱﾏｿﾞﾝ", "アマゾン"},
		{"Amazon", "AMAZON"},
		{"ＡＢＣ１２３", "abc123"},
		{"アカウントを乗っ取られた", "乗っ取"},
		{"のっとられた", "ノットラレ"},
		{"引き落とされていた", "引落"},
		{"パスワード", "ぱすわーど"},
	}
	for _, tt := range tests {
		a, b := Fold(tt.a).String(), Fold(tt.b).String()
		if !contains(a, b) {
			t.Errorf("Fold(%q) = %q does not contain Fold(%q) = %q", tt.a, a, tt.b, b)
		}
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func TestOriginalMapsBack(t *testing.T) {
	f := Fold("昨日ｱﾏｿﾞﾝで  振り込んだ")
	want := "ｱﾏｿﾞﾝ"
	// アマゾン folds to あまぞん: find it and map it back.
	runes := []rune(Phrase("アマゾン"))
	for i := 0; i+len(runes) <= len(f.Runes); i++ {
		if string(f.Runes[i:i+len(runes)]) == string(runes) {
			if got := f.Original(i, i+len(runes)); got != want {
				t.Fatalf("Original = %q, want %q", got, want)
			}
			return
		}
	}
	t.Fatalf("folded %q has no %q", f.String(), string(runes))
}

func TestIsMostlyLatin(t *testing.T) {
	if !IsMostlyLatin("My Amazon account was hacked") {
		t.Error("English text not recognised")
	}
	if IsMostlyLatin("Amazonのアカウントが乗っ取られた") {
		t.Error("Japanese text with a brand name taken for English")
	}
}

func FuzzFold(f *testing.F) {
	for _, s := range []string{"振り込みました", "ｱﾏｿﾞﾝ", "ＡＢＣ", "\xff\xfe", "a  b\t\nc", "ﾊﾞｲﾄ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fo := Fold(s)
		if len(fo.Runes) != len(fo.start) || len(fo.start) != len(fo.end) {
			t.Fatalf("offset tables out of step: %d runes, %d starts, %d ends", len(fo.Runes), len(fo.start), len(fo.end))
		}
		for i := range fo.Runes {
			if fo.start[i] > fo.end[i] || fo.end[i] > len(s) {
				t.Fatalf("rune %d maps to bad range %d-%d of %d bytes", i, fo.start[i], fo.end[i], len(s))
			}
			_ = fo.Original(i, i+1)
		}
		// Folding again changes nothing, except where lower-casing a letter
		// lets a following combining mark compose with it (İ̆ becomes i + ̆,
		// which NFKC then writes ĭ): phrases and texts are folded by the same
		// function, so such text still meets its phrase.
		if again := Fold(fo.String()).String(); again != fo.String() && !hasCombining(s) {
			t.Fatalf("folding is not idempotent: %q then %q", fo.String(), again)
		}
	})
}

func hasCombining(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Mn, r) {
			return true
		}
	}
	return false
}
