package letters

import (
	"strings"

	"github.com/kakekomi/kakekomi/internal/sheet"
)

// Layout breaks body into pages of format f: lines wrapped with kinsoku
// to f.Cols characters, pages cut at f.Rows lines or MaxPageChars
// characters, whichever comes first. Blank lines are kept between
// paragraphs but not at the top of a page, and count toward neither limit.
func Layout(body string, f Format) []Page {
	width := func(s string) float64 { return float64(Count(s)) }
	var (
		pages       []Page
		cur         Page
		rows, chars int
	)
	flush := func() {
		for len(cur) > 0 && strings.TrimSpace(cur[len(cur)-1]) == "" {
			cur = cur[:len(cur)-1]
		}
		if len(cur) > 0 {
			pages = append(pages, cur)
		}
		cur, rows, chars = nil, 0, 0
	}
	for _, line := range sheet.Wrap(body, float64(f.Cols), width) {
		if strings.TrimSpace(line) == "" {
			if len(cur) > 0 {
				cur = append(cur, "")
			}
			continue
		}
		n := Count(line)
		if rows+1 > f.Rows || chars+n > MaxPageChars {
			flush()
		}
		cur = append(cur, line)
		rows++
		chars += n
	}
	flush()
	return pages
}
