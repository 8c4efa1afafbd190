package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/kakekomi/kakekomi/internal/casefile"
	"github.com/kakekomi/kakekomi/internal/hours"
)

// The forms of a case page that add an entry to one of its lists.

func (h *handler) addEvent(w http.ResponseWriter, r *http.Request) {
	h.changeCase(w, r, "case.added.timeline", func(c *casefile.Case, f url.Values) error {
		at, err := formDate(f, "date", "time", true)
		if err != nil {
			return err
		}
		what := strings.TrimSpace(f.Get("what"))
		if what == "" {
			return inputError{"case.err.what"}
		}
		c.Timeline = append(c.Timeline, casefile.Event{At: at, What: what})
		return nil
	})
}

func (h *handler) addParty(w http.ResponseWriter, r *http.Request) {
	h.changeCase(w, r, "case.added.party", func(c *casefile.Case, f url.Values) error {
		p := casefile.Party{
			Name:    strings.TrimSpace(f.Get("name")),
			URL:     strings.TrimSpace(f.Get("url")),
			Account: strings.TrimSpace(f.Get("account")),
			Phone:   strings.TrimSpace(f.Get("phone")),
			Email:   strings.TrimSpace(f.Get("email")),
			Address: strings.TrimSpace(f.Get("address")),
		}
		if sns := strings.TrimSpace(f.Get("sns")); sns != "" {
			p.SNS = []string{sns}
		}
		if p.Name+p.URL+p.Account+p.Phone+p.Email+p.Address == "" && p.SNS == nil {
			return inputError{"case.err.party"}
		}
		c.Parties = append(c.Parties, p)
		return nil
	})
}

func (h *handler) addPayment(w http.ResponseWriter, r *http.Request) {
	h.changeCase(w, r, "case.added.payment", func(c *casefile.Case, f url.Values) error {
		amount, ok := parseYen(f.Get("amount"))
		if !ok {
			return inputError{"case.err.amount"}
		}
		at, err := formDate(f, "date", "", true)
		if err != nil {
			return err
		}
		c.Payments = append(c.Payments, casefile.Payment{
			AmountJPY: amount, At: at,
			Method:  strings.TrimSpace(f.Get("method")),
			Account: strings.TrimSpace(f.Get("account")),
		})
		return nil
	})
}

func (h *handler) addEntered(w http.ResponseWriter, r *http.Request) {
	h.changeCase(w, r, "case.added.entered", func(c *casefile.Case, f url.Values) error {
		var kinds []string
		for _, k := range f["kind"] {
			if _, ok := casefile.EnteredKinds[k]; ok {
				kinds = append(kinds, k)
			}
		}
		if len(kinds) == 0 {
			return inputError{"case.err.kinds"}
		}
		at, err := formDate(f, "date", "", false)
		if err != nil {
			return err
		}
		c.Entered = append(c.Entered, casefile.Entered{Where: strings.TrimSpace(f.Get("where")), What: kinds, At: at})
		return nil
	})
}

func (h *handler) addProgress(w http.ResponseWriter, r *http.Request) {
	h.changeCase(w, r, "case.added.progress", func(c *casefile.Case, f url.Values) error {
		at, err := formDate(f, "date", "", true)
		if err != nil {
			return err
		}
		desk := f.Get("desk")
		if h.kb.Desk(desk) == nil {
			// "other": the desk as the person wrote it.
			desk = strings.TrimSpace(f.Get("desk_other"))
		}
		if desk == "" {
			return inputError{"case.err.desk"}
		}
		c.Progress = append(c.Progress, casefile.Progress{
			At: at, Desk: desk,
			Reference: strings.TrimSpace(f.Get("reference")),
			Result:    strings.TrimSpace(f.Get("result")),
			Next:      strings.TrimSpace(f.Get("next")),
		})
		return nil
	})
}

// markStep ticks a step of the plan off, or back on.
func (h *handler) markStep(w http.ResponseWriter, r *http.Request) {
	h.changeCase(w, r, "case.added.step", func(c *casefile.Case, f url.Values) error {
		return c.MarkStep(f.Get("step"), f.Get("done") == "1", h.now())
	})
}

// formDate reads a date field (2006-01-02) and an optional time field
// (15:04) as a time in Japan. An empty date is an error when required,
// else the zero time.
func formDate(f url.Values, dateField, timeField string, required bool) (time.Time, error) {
	date := strings.TrimSpace(f.Get(dateField))
	if date == "" {
		if required {
			return time.Time{}, inputError{"case.err.date"}
		}
		return time.Time{}, nil
	}
	layout, value := time.DateOnly, date
	if timeField != "" {
		if clock := strings.TrimSpace(f.Get(timeField)); clock != "" {
			layout, value = time.DateOnly+" 15:04", date+" "+clock
		}
	}
	t, err := time.ParseInLocation(layout, value, hours.Tokyo)
	if err != nil {
		return time.Time{}, inputError{"case.err.date"}
	}
	return t, nil
}

// parseYen reads an amount of yen as people type it: "39800",
// "39,800円", "３９８００".
func parseYen(s string) (int64, bool) {
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= '０' && r <= '９':
			return r - '０' + '0'
		case r == ',' || r == '，' || r == '円' || r == '¥' || r == '￥' || r == ' ' || r == '　':
			return -1
		}
		return r
	}, s)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || n > 1e12 {
		return 0, false
	}
	return n, true
}
