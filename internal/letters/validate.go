// Package letters drafts the letters a person in trouble sends: a demand
// by 内容証明郵便, a takedown request (侵害情報の通知書 兼 送信防止措置依頼書)
// and a report to フィッシング対策協議会. It lays the 内容証明 text out to
// the post office's limits and checks any text against them.
package letters

import (
	"fmt"
	"strings"
	"unicode"
)

// Format is a layout the post office accepts for the copies (謄本) of a
// 内容証明郵便: at most Cols characters a line and Rows lines a page.
type Format struct {
	Name     string
	Cols     int
	Rows     int
	Vertical bool
}

// The accepted layouts. Any of them also allows at most MaxPageChars
// characters a page.
var (
	Horizontal26x20 = Format{"横書き（1行26字・1枚20行）", 26, 20, false}
	Horizontal20x26 = Format{"横書き（1行20字・1枚26行）", 20, 26, false}
	Horizontal13x40 = Format{"横書き（1行13字・1枚40行）", 13, 40, false}
	Vertical20x26   = Format{"縦書き（1行20字・1枚26行）", 20, 26, true}
)

// MaxPageChars is the most characters one page may hold in any format.
const MaxPageChars = 520

// Page is one sheet of a letter, as lines.
type Page []string

// Problem is one place where a text breaks the limits. Line is 0 when the
// problem is with the page as a whole.
type Problem struct {
	Page, Line int
	Msg        string
}

func (p Problem) String() string {
	if p.Line == 0 {
		return fmt.Sprintf("%d枚目: %s", p.Page, p.Msg)
	}
	return fmt.Sprintf("%d枚目 %d行目: %s", p.Page, p.Line, p.Msg)
}

// Bracket pairs count as one character, on the line of the opening one.
var closing = map[rune]rune{
	'）': '（', ')': '(', '」': '「', '』': '『', '】': '【', '〕': '〔', '］': '［',
	']': '[', '｝': '｛', '}': '{', '〉': '〈', '》': '《', '”': '“', '’': '‘',
}

// counter counts characters the post office's way across a page, so that
// a bracket opened on one line and closed on another counts once.
type counter struct{ open map[rune]int }

func newCounter() *counter { return &counter{open: map[rune]int{}} }

// count returns the characters of line. Unit symbols such as ㎡ or ㎏
// (one code point, two characters on paper) count 2; a closing bracket
// that closes an opening one on the page counts 0.
func (c *counter) count(line string) int {
	n := 0
	for _, r := range line {
		switch {
		case isOpening(r):
			c.open[r]++
			n++
		case closing[r] != 0 && c.open[closing[r]] > 0:
			c.open[closing[r]]--
		case r >= 0x3300 && r <= 0x33ff: // CJK compatibility: ㎡ ㎏ ㌔ ...
			n += 2
		default:
			n++
		}
	}
	return n
}

func isOpening(r rune) bool {
	for _, o := range closing {
		if o == r {
			return true
		}
	}
	return false
}

// Count returns the characters of one line the post office's way.
func Count(line string) int { return newCounter().count(line) }

// badRune reports characters that cannot be on a 内容証明: control
// characters, emoji and pictographs.
func badRune(r rune) bool {
	return r == unicode.ReplacementChar || (unicode.IsControl(r) && r != '\t') ||
		(r >= 0x1f000 && r <= 0x1faff) || (r >= 0xfe00 && r <= 0xfe0f) || r == 0x200d
}

// Validate checks pages against f and returns every line and page that
// breaks a limit, in order. Blank lines are not counted.
func Validate(pages []Page, f Format) []Problem {
	var ps []Problem
	for i, p := range pages {
		c := newCounter()
		rows, chars := 0, 0
		for j, line := range p {
			if strings.TrimSpace(line) == "" {
				continue
			}
			rows++
			n := c.count(line)
			chars += n
			if n > f.Cols {
				ps = append(ps, Problem{i + 1, j + 1, fmt.Sprintf("%d字あります（1行%d字まで）", n, f.Cols)})
			}
			for _, r := range line {
				if badRune(r) {
					ps = append(ps, Problem{i + 1, j + 1, fmt.Sprintf("使えない文字 %q があります", r)})
					break
				}
			}
		}
		if rows > f.Rows {
			ps = append(ps, Problem{i + 1, 0, fmt.Sprintf("%d行あります（1枚%d行まで）", rows, f.Rows)})
		}
		if chars > MaxPageChars {
			ps = append(ps, Problem{i + 1, 0, fmt.Sprintf("%d字あります（1枚%d字まで）", chars, MaxPageChars)})
		}
	}
	return ps
}

// ParsePages reads a text with pages separated by form feeds (\f).
func ParsePages(text string) []Page {
	var pages []Page
	for _, p := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\f") {
		pages = append(pages, Page(strings.Split(strings.TrimSuffix(p, "\n"), "\n")))
	}
	return pages
}

// FormatPages writes pages as text with form feeds between them, the
// inverse of ParsePages.
func FormatPages(pages []Page) string {
	var parts []string
	for _, p := range pages {
		parts = append(parts, strings.Join(p, "\n"))
	}
	return strings.Join(parts, "\n\f")
}
