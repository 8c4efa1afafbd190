package web

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
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
		return put(&c.Timeline, casefile.Event{At: at, What: what}, f.Get("ref"))
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
		return put(&c.Parties, p, f.Get("ref"))
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
		return put(&c.Payments, casefile.Payment{
			AmountJPY: amount, At: at,
			Method:  strings.TrimSpace(f.Get("method")),
			Account: strings.TrimSpace(f.Get("account")),
		}, f.Get("ref"))
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
		return put(&c.Entered, casefile.Entered{Where: strings.TrimSpace(f.Get("where")), What: kinds, At: at}, f.Get("ref"))
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
		return put(&c.Progress, casefile.Progress{
			At: at, Desk: desk,
			Reference: strings.TrimSpace(f.Get("reference")),
			Result:    strings.TrimSpace(f.Get("result")),
			Next:      strings.TrimSpace(f.Get("next")),
		}, f.Get("ref"))
	})
}

// removeEntry takes one entry off a case's list: the timeline, the other
// side, payments, what was typed in, contacts with desks, or an evidence
// file with its bytes.
func (h *handler) removeEntry(w http.ResponseWriter, r *http.Request) {
	h.wholeCase(w, r, func(ck caseKeys, k casefile.Keys) {
		list, ref := r.PostFormValue("list"), r.PostFormValue("ref")
		var err error
		if list == "evidence" {
			if err = h.store.RemoveEvidence(r.Context(), k, ref); errors.Is(err, casefile.ErrNotFound) {
				err = inputError{"case.err.changed"}
			}
		} else {
			err = h.store.Update(r.Context(), k, func(c *casefile.Case) error {
				switch list {
				case "timeline":
					return remove(&c.Timeline, ref)
				case "party":
					return remove(&c.Parties, ref)
				case "payment":
					return remove(&c.Payments, ref)
				case "entered":
					return remove(&c.Entered, ref)
				case "progress":
					return remove(&c.Progress, ref)
				}
				return inputError{"case.err.changed"}
			})
		}
		h.afterChange(w, r, ck, k, "case.removed", err)
	})
}

// entryRef names entry i of a list for a later change: its place and a
// digest of what it says, so that a form made before someone else changed
// the list cannot change or remove the wrong entry.
func entryRef[T any](i int, entry T) string {
	b, _ := json.Marshal(entry)
	sum := sha256.Sum256(b)
	return strconv.Itoa(i) + ":" + hex.EncodeToString(sum[:6])
}

// refIndex finds the entry of list that ref names.
func refIndex[T any](list []T, ref string) (int, error) {
	n, _, ok := strings.Cut(ref, ":")
	i, err := strconv.Atoi(n)
	if !ok || err != nil || i < 0 || i >= len(list) || entryRef(i, list[i]) != ref {
		return 0, inputError{"case.err.changed"}
	}
	return i, nil
}

// put adds entry to list, or puts it in place of the entry that ref names.
func put[T any](list *[]T, entry T, ref string) error {
	if ref == "" {
		*list = append(*list, entry)
		return nil
	}
	i, err := refIndex(*list, ref)
	if err != nil {
		return err
	}
	(*list)[i] = entry
	return nil
}

// remove takes the entry that ref names off list.
func remove[T any](list *[]T, ref string) error {
	i, err := refIndex(*list, ref)
	if err != nil {
		return err
	}
	*list = slices.Delete(*list, i, i+1)
	return nil
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
