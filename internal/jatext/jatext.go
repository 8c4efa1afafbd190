// Package jatext folds Japanese (and English) text into one form for
// matching, so that spellings people use for the same word meet:
// full and half width (ｱﾏｿﾞﾝ, ＡＢＣ), katakana and hiragana (アマゾン,
// あまぞん), upper and lower case, runs of white space, and okurigana
// between two kanji (振り込み, 振込み and 振込 all fold to 振込み).
//
// A morphological analyser would do better on conjugations, but the IPA
// dictionary takes about a second and 170 MB to load, which a one-shot
// command and a small server cannot afford; stems written by people who know
// the domain, matched after this folding, cover the same ground.
package jatext

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Folded is a text after folding, with the way back to the original.
type Folded struct {
	Runes []rune
	start []int // byte offset in the original where each rune came from
	end   []int
	orig  string
}

// Original returns the part of the original text that folded into
// Runes[i:j].
func (f *Folded) Original(i, j int) string {
	if i >= j || j > len(f.Runes) {
		return ""
	}
	return f.orig[f.start[i]:f.end[j-1]]
}

// String returns the folded text.
func (f *Folded) String() string { return string(f.Runes) }

// Fold folds s, dropping okurigana. Invalid UTF-8 bytes are replaced by
// U+FFFD.
func Fold(s string) *Folded { return FoldExact(s).DropOkurigana() }

// FoldExact folds s like Fold but keeps every kana. Dropping okurigana makes
// 振り込んだ meet 振込, but also turns 出た番号 into 出番号, which a phrase
// 出た no longer finds; a matcher looks in both forms.
func FoldExact(s string) *Folded {
	f := &Folded{orig: s, Runes: make([]rune, 0, len(s)/2), start: make([]int, 0, len(s)/2), end: make([]int, 0, len(s)/2)}
	// NFKC, so each output rune knows the original bytes it came from; then
	// case, kana and white space.
	add := func(r rune, start, end int) {
		r = foldRune(r)
		if unicode.IsSpace(r) {
			if len(f.Runes) == 0 || f.Runes[len(f.Runes)-1] == ' ' {
				return
			}
			r = ' '
		}
		f.Runes = append(f.Runes, r)
		f.start = append(f.start, start)
		f.end = append(f.end, end)
	}
	// The normaliser passes invalid bytes through and may leave what
	// follows them unnormalised, so each run of valid UTF-8 is normalised
	// on its own and every invalid byte becomes U+FFFD.
	for base := 0; base < len(s); {
		run := len(s) - base
		for i, r := range s[base:] {
			if r == utf8.RuneError {
				if _, n := utf8.DecodeRuneInString(s[base+i:]); n == 1 {
					run = i
					break
				}
			}
		}
		normalize(s[base:base+run], base, add)
		base += run
		if base < len(s) {
			add(utf8.RuneError, base, base+1)
			base++
		}
	}
	if n := len(f.Runes); n > 0 && f.Runes[n-1] == ' ' {
		f.Runes, f.start, f.end = f.Runes[:n-1], f.start[:n-1], f.end[:n-1]
	}
	return f
}

// DropOkurigana returns f without a single okurigana kana between two
// kanji (振り込む, 乗っ取る, 引き落とし). Particles stay, so that 今から駅
// keeps its から and 私の家 its の.
func (f *Folded) DropOkurigana() *Folded {
	out := &Folded{orig: f.orig, Runes: make([]rune, 0, len(f.Runes)), start: make([]int, 0, len(f.Runes)), end: make([]int, 0, len(f.Runes))}
	for i, r := range f.Runes {
		if i > 0 && i+1 < len(f.Runes) && isHiragana(r) && !isParticle(r) &&
			isKanji(out.Runes[len(out.Runes)-1]) && isKanji(f.Runes[i+1]) {
			continue
		}
		out.Runes = append(out.Runes, r)
		out.start = append(out.start, f.start[i])
		out.end = append(out.end, f.end[i])
	}
	return out
}

// normalize feeds the NFKC form of the valid UTF-8 text s, found at offset
// base of the original, to add rune by rune. Most text is already in NFKC
// up to some point: that prefix is taken as it is, and only the rest goes
// through the normaliser segment by segment.
func normalize(s string, base int, add func(r rune, start, end int)) {
	quick := norm.NFKC.QuickSpanString(s)
	for i, r := range s[:quick] {
		add(r, base+i, base+i+utf8.RuneLen(r))
	}
	var it norm.Iter
	it.InitString(norm.NFKC, s[quick:])
	for !it.Done() {
		start := base + quick + it.Pos()
		seg := it.Next()
		end := base + quick + it.Pos()
		for len(seg) > 0 {
			r, n := utf8.DecodeRune(seg)
			seg = seg[n:]
			add(r, start, end)
		}
	}
}

// Phrase folds a phrase written in the knowledge base the same way as Fold
// folds a text.
func Phrase(s string) string { return Fold(s).String() }

// PhraseExact folds a phrase the same way as FoldExact folds a text.
func PhraseExact(s string) string { return FoldExact(s).String() }

func foldRune(r rune) rune {
	switch {
	case r >= 'ァ' && r <= 'ヶ': // katakana to hiragana; ヷ-ヺ have no hiragana
		return r - 0x60
	case r == '〜' || r == '～':
		return '~'
	case r == '’' || r == '‘':
		return '\''
	}
	return unicode.ToLower(r)
}

func isHiragana(r rune) bool { return r >= 'ぁ' && r <= 'ゖ' }

// isParticle reports whether r is a kana that usually stands alone as a
// particle between two words rather than as okurigana.
func isParticle(r rune) bool {
	switch r {
	case 'の', 'を', 'に', 'で', 'と', 'が', 'は', 'も', 'へ', 'や', 'か':
		return true
	}
	return false
}

func isKanji(r rune) bool {
	return unicode.Is(unicode.Han, r) || r == '々'
}

// IsMostlyLatin reports whether the letters of s are mostly Latin, which
// tells an English description from a Japanese one.
func IsMostlyLatin(s string) bool {
	latin, other := 0, 0
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf && unicode.IsLetter(r):
			latin++
		case unicode.IsLetter(r):
			other++
		}
	}
	return latin > 0 && latin >= 4*other
}
