package sheet

import "strings"

// Kinsoku (禁則処理): characters that may not begin a line (closing
// brackets, punctuation, small kana, the long-vowel mark) and characters
// that may not end one (opening brackets).
const (
	noStart = "、。，．,.・：；:;？！?!゛゜ヽヾゝゞ々〻ー～）)］]｝}」』】〕〉》”’〙〗ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ…‥"
	noEnd   = "（(［[｛{「『【〔〈《“‘〘〖"
)

func isNoStart(r rune) bool { return strings.ContainsRune(noStart, r) }
func isNoEnd(r rune) bool   { return strings.ContainsRune(noEnd, r) }

// isWordRune reports whether r belongs to a run kept whole when it fits:
// ASCII words and numbers, and a fill-in blank ＿＿＿.
func isWordRune(r rune) bool {
	return r < 0x80 && r != ' ' && r != '\t' || r == '＿'
}

// Wrap breaks text into lines no wider than max, as measured by width,
// keeping explicit newlines. It moves the break back so that no line
// starts with a character of noStart or ends with one of noEnd, and
// avoids splitting a run of ASCII (a URL, an address, a number) when the
// run fits on a line. A single character wider than max gets a line of
// its own.
func Wrap(text string, max float64, width func(string) float64) []string {
	var lines []string
	for _, para := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		rs := []rune(para)
		if len(rs) == 0 {
			lines = append(lines, "")
			continue
		}
		for len(rs) > 0 {
			n := fit(rs, max, width)
			if n < len(rs) {
				n = adjust(rs, n)
			}
			lines = append(lines, strings.TrimRight(string(rs[:n]), " "))
			rs = rs[n:]
			// A space at a break is the break itself.
			for len(rs) > 0 && rs[0] == ' ' {
				rs = rs[1:]
			}
		}
	}
	return lines
}

// fit returns how many leading runes of rs fit in max (at least one).
func fit(rs []rune, max float64, width func(string) float64) int {
	// Grow by one rune at a time: measuring the prefix keeps kerning and
	// font fallback out of the arithmetic.
	n := 1
	for n < len(rs) && width(string(rs[:n+1])) <= max {
		n++
	}
	return n
}

// adjust moves a break at n back to a place kinsoku allows, giving up
// (keeping n) if that would empty more than half the line.
func adjust(rs []rune, n int) int {
	ok := func(p int) bool { return !isNoStart(rs[p]) && !isNoEnd(rs[p-1]) }
	p := n
	for p > n/2 && !ok(p) {
		p--
	}
	if p <= n/2 {
		return n
	}
	// Prefer not to cut an ASCII word (a URL, an account number): move
	// it whole to the next line, where it is cut only if longer than a line.
	if isWordRune(rs[p]) && isWordRune(rs[p-1]) {
		q := p
		for q > 0 && isWordRune(rs[q-1]) {
			q--
		}
		// An opening bracket before the word goes down with it.
		for q > 0 && isNoEnd(rs[q-1]) {
			q--
		}
		if q > 0 && ok(q) {
			return q
		}
	}
	return p
}
