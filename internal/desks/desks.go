// Package desks describes the knowledge base's desks as people need them at
// a given moment: how to reach them, whether they are open now and when they
// open next, what to bring, and where each fact comes from.
package desks

import (
	"time"

	"github.com/kakekomi/kakekomi/internal/hours"
	"github.com/kakekomi/kakekomi/internal/kb"
)

// Source is where a desk fact comes from and when it was last checked.
type Source struct {
	URL     string `json:"url"`
	Checked string `json:"checked"`
}

// Line is one channel of a desk as shown to people. Its JSON leaves out
// what a line has no value for (most lines have no hours of their own to
// judge, and most cost something): the contract fixes a desk's fields, not
// a line's.
type Line struct {
	Kind     string  `json:"kind"`
	Label    string  `json:"label,omitempty"`
	Value    string  `json:"value"`
	Free     bool    `json:"free,omitempty"`
	Cost     string  `json:"cost,omitempty"`
	IPPhone  string  `json:"ip_phone,omitempty"`
	Hours    string  `json:"hours,omitempty"`
	OpenNow  *bool   `json:"open_now,omitempty"`
	NextOpen *string `json:"next_open,omitempty"`
	Caution  string  `json:"caution,omitempty"` // why the hours or value need care
	// Prefecture limits the line to people in one prefecture.
	Prefecture string `json:"prefecture,omitempty"`
	Note       string `json:"note,omitempty"`
}

// View is a desk as the triage object and the pages show it.
type View struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Short       string   `json:"short"`
	Phone       string   `json:"phone"`
	URL         string   `json:"url"`
	Email       string   `json:"email"`
	Reason      string   `json:"reason"`
	OpenNow     *bool    `json:"open_now"`
	NextOpen    *string  `json:"next_open"`
	Hours       string   `json:"hours"`
	Handles     string   `json:"handles"`
	NotHandled  string   `json:"not_handled,omitempty"`
	Refer       []string `json:"refer,omitempty"`
	Eligibility string   `json:"eligibility,omitempty"`
	Fees        string   `json:"fees,omitempty"`
	Bring       []string `json:"bring"`
	Lines       []Line   `json:"lines"`
	Cautions    []string `json:"cautions,omitempty"`
	Status      string   `json:"status"`
	Sources     []Source `json:"sources"`
}

// Describe returns the view of d at the moment at, in lang ("ja" or "en").
func Describe(k *kb.KB, d *kb.Desk, at time.Time, lang string) View {
	v := View{
		ID:      d.ID,
		Name:    d.Name.In(lang),
		Short:   d.Short.In(lang),
		Handles: d.Handles.Text.In(lang),
		Refer:   d.Refer,
		Status:  string(d.Status),
		Bring:   []string{},
		Lines:   []Line{},
	}
	if d.NotHandled != nil {
		v.NotHandled = d.NotHandled.Text.In(lang)
	}
	if d.URL != nil {
		v.URL = d.URL.Text.JA
	}
	if d.Eligibility != nil {
		v.Eligibility = d.Eligibility.Text.In(lang)
	}
	if d.Fees != nil {
		v.Fees = d.Fees.Text.In(lang)
	}
	for _, b := range d.Bring {
		v.Bring = append(v.Bring, b.In(lang))
	}
	for _, c := range d.Cautions {
		v.Cautions = append(v.Cautions, c.Text.In(lang))
	}
	// The desk's own phone, hours and open state come from its channels for
	// everyone: a line for one prefecture is listed but never speaks for
	// the whole desk. The main line is the nationwide phone that answers at
	// the moment (so a person in crisis at night is given the 24-hour line,
	// not the one that opens tomorrow), and the desk's open state is that
	// line's, so that "open now" never sits beside a button that dials a
	// closed line. The main line comes first in Lines.
	var anyOpen, anyKnown bool
	var next time.Time
	for _, c := range d.Channels {
		line := Line{
			Kind: c.Kind, Label: c.Label.In(lang), Value: c.Value, Free: c.Free,
			Cost: c.Cost.In(lang), IPPhone: c.IPPhone.In(lang), Note: c.Note.In(lang),
			Prefecture: c.Prefecture,
		}
		if c.Status.NeedsCaution() {
			line.Caution = seedCaution(lang)
		}
		if h := c.Hours; h != nil {
			line.Hours = h.Text.In(lang)
			if h.Status.NeedsCaution() {
				line.Caution = seedCaution(lang)
			}
			line.OpenNow, line.NextOpen = openState(k, h, at)
			if c.Prefecture == "" && line.OpenNow != nil {
				anyKnown = true
				anyOpen = anyOpen || *line.OpenNow
				if line.NextOpen != nil {
					if n, _ := time.Parse(time.RFC3339, *line.NextOpen); next.IsZero() || n.Before(next) {
						next = n
					}
				}
			}
		}
		if c.Kind == "email" && c.Prefecture == "" && v.Email == "" {
			v.Email = c.Value
		}
		v.Lines = append(v.Lines, line)
	}
	if main := mainLine(v.Lines); main >= 0 {
		m := v.Lines[main]
		v.Lines = append(append([]Line{m}, v.Lines[:main]...), v.Lines[main+1:]...)
		v.Hours = m.Hours
		if m.Kind == "phone" {
			v.Phone = m.Value
		}
		if m.OpenNow != nil {
			v.OpenNow, v.NextOpen = m.OpenNow, m.NextOpen
			anyKnown = false
		}
	}
	if anyKnown {
		v.OpenNow = ptr(anyOpen)
		if !anyOpen && !next.IsZero() {
			v.NextOpen = ptr(next.Format(time.RFC3339))
		}
	}
	v.Sources = make([]Source, len(d.Sources()))
	for i, src := range d.Sources() {
		v.Sources[i] = Source{URL: src.URL, Checked: src.Checked}
	}
	return v
}

// mainLine chooses the line that speaks for a desk: of the nationwide
// lines, a phone open now, else a phone whose hours do not say, else any
// phone, else the first line; -1 when there is none.
func mainLine(lines []Line) int {
	best, rank := -1, 0
	for i, l := range lines {
		if l.Prefecture != "" {
			continue
		}
		r := 1
		if l.Kind == "phone" {
			switch {
			case l.OpenNow != nil && *l.OpenNow:
				r = 4
			case l.OpenNow == nil:
				r = 3
			default:
				r = 2
			}
		}
		if r > rank {
			best, rank = i, r
		}
	}
	return best
}

// openState says whether hours are open at the moment at, and when they
// open next; both nil where the reference does not trust the hours or they
// do not tell (web forms, hours that depend on the local office).
func openState(k *kb.KB, h *kb.Hours, at time.Time) (open *bool, next *string) {
	if !h.Reliable {
		return nil, nil
	}
	s := h.Schedule()
	if s == nil { // kb.Load refuses a spec that does not parse; nothing to say if not
		return nil, nil
	}
	isHoliday := func(day time.Time) bool { _, ok := k.IsHoliday(day); return ok }
	switch s.At(at, isHoliday) {
	case hours.Open:
		return ptr(true), nil
	case hours.Closed:
		if n, ok := s.NextOpen(at, isHoliday); ok {
			return ptr(false), ptr(n.Format(time.RFC3339))
		}
		return ptr(false), nil
	}
	return nil, nil
}

// List returns every desk of the knowledge base at the moment at, in the
// knowledge base's order; with openOnly, only those open at that moment.
func List(k *kb.KB, at time.Time, lang string, openOnly bool) []View {
	out := []View{}
	for _, d := range k.Desks {
		v := Describe(k, d, at, lang)
		if openOnly && (v.OpenNow == nil || !*v.OpenNow) {
			continue
		}
		out = append(out, v)
	}
	return out
}

func seedCaution(lang string) string {
	if lang == "en" {
		return "Only an older source gives this; please check it on the desk's own site before relying on it."
	}
	return "古い資料にしか載っていない情報です。念のため、公式サイトなどで確かめてください。"
}

func ptr[T any](v T) *T { return &v }
