// Package hours parses opening hours written in the grammar of the desks
// reference and answers "is it open at this moment" and "when does it open
// next", in Japan time, with national holidays, year-end closures and lunch
// breaks.
//
// A spec is a ";"-separated list of clauses; a later clause overrides an
// earlier one for the same day:
//
//	DAYS HH:MM-HH:MM[,HH:MM-HH:MM]   open in those ranges (a gap is a lunch break)
//	DAYS closed                      closed on those days
//	DAYS varies                      open, hours depend on the local office
//	yearend MM/DD-MM/DD closed       closed over the year end
//	24h                              always open
//	n/a                              no opening hours (a web form, e-mail)
//	varies                           every day depends on the local office
//
// DAYS is mon…sun, a range such as mon-fri, or holiday. A spec with no
// holiday clause says nothing about national holidays: on them, At answers
// Unknown rather than guess. Two forms go beyond
// the reference's grammar for the rules it writes in brackets: mon#1,3 (the
// first and third Monday of the month) and d10 (the 10th of every month).
// 24:00 may end a range.
package hours

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Asia/Tokyo must resolve on machines without a zone database
)

// Tokyo is Japan time. Opening hours are never computed in time.Local.
var Tokyo = mustLoad("Asia/Tokyo")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(fmt.Sprintf("hours: load %s: %v", name, err))
	}
	return loc
}

// Kind says whether a schedule can tell open from closed.
type Kind int

// Schedule kinds.
const (
	Timed   Kind = iota // open in given ranges: open now can be computed
	Always              // 24h
	NoHours             // n/a: a web form or e-mail
	Varies              // depends on the local office
)

type span struct{ from, to int } // minutes since midnight, to ≤ 1440

// dayRule says what holds on the days it matches.
type dayRule struct {
	weekdays [7]bool // by time.Weekday
	holiday  bool
	nth      []int // with weekdays: only the nth such weekday of the month
	mday     int   // day of month, 0 if unused
	varies   bool
	spans    []span
}

type yearEnd struct{ fromMonth, fromDay, toMonth, toDay int }

// Schedule is a parsed hours spec.
type Schedule struct {
	Kind  Kind
	rules []dayRule
	// holidays says whether a clause names national holidays. Without one,
	// nothing is known about holidays: the sources did not say.
	holidays bool
	yearEnd  *yearEnd
	spec     string
}

// String returns the spec the schedule was parsed from.
func (s *Schedule) String() string { return s.spec }

var dayNames = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// Parse parses an hours spec.
func Parse(spec string) (*Schedule, error) {
	s := &Schedule{Kind: Timed, spec: spec}
	clauses := strings.Split(spec, ";")
	for _, raw := range clauses {
		c := strings.TrimSpace(raw)
		switch c {
		case "":
			return nil, fmt.Errorf("hours %q: empty clause", spec)
		case "24h", "n/a", "varies":
			if len(clauses) != 1 {
				return nil, fmt.Errorf("hours %q: %q must stand alone", spec, c)
			}
			s.Kind = map[string]Kind{"24h": Always, "n/a": NoHours, "varies": Varies}[c]
			return s, nil
		}
		fields := strings.Fields(c)
		if fields[0] == "yearend" {
			ye, err := parseYearEnd(fields)
			if err != nil {
				return nil, fmt.Errorf("hours %q: %w", spec, err)
			}
			s.yearEnd = ye
			continue
		}
		if len(fields) != 2 {
			return nil, fmt.Errorf("hours %q: clause %q: want DAYS and times", spec, c)
		}
		r, err := parseDays(fields[0])
		if err != nil {
			return nil, fmt.Errorf("hours %q: %w", spec, err)
		}
		s.holidays = s.holidays || r.holiday
		switch fields[1] {
		case "closed": // no spans
		case "varies":
			r.varies = true
		default:
			if r.spans, err = parseSpans(fields[1]); err != nil {
				return nil, fmt.Errorf("hours %q: %w", spec, err)
			}
		}
		s.rules = append(s.rules, r)
	}
	return s, nil
}

func parseDays(f string) (dayRule, error) {
	var r dayRule
	if f == "holiday" {
		r.holiday = true
		return r, nil
	}
	if strings.HasPrefix(f, "d") && len(f) > 1 && f[1] >= '0' && f[1] <= '9' {
		n, err := strconv.Atoi(f[1:])
		if err != nil || n < 1 || n > 31 {
			return r, fmt.Errorf("bad day of month %q", f)
		}
		r.mday = n
		return r, nil
	}
	days, nth, hasNth := strings.Cut(f, "#")
	from, to, isRange := strings.Cut(days, "-")
	a, ok1 := dayNames[from]
	b, ok2 := a, true
	if isRange {
		b, ok2 = dayNames[to]
	}
	if !ok1 || !ok2 {
		return r, fmt.Errorf("bad days %q", f)
	}
	for d := a; ; d = (d + 1) % 7 {
		r.weekdays[d] = true
		if d == b {
			break
		}
	}
	if hasNth {
		for _, p := range strings.Split(nth, ",") {
			n, err := strconv.Atoi(p)
			if err != nil || n < 1 || n > 5 {
				return r, fmt.Errorf("bad week number in %q", f)
			}
			r.nth = append(r.nth, n)
		}
	}
	return r, nil
}

func parseSpans(f string) ([]span, error) {
	var out []span
	prev := -1
	for _, p := range strings.Split(f, ",") {
		a, b, ok := strings.Cut(p, "-")
		if !ok {
			return nil, fmt.Errorf("bad time range %q", p)
		}
		from, err1 := parseClock(a)
		to, err2 := parseClock(b)
		if err1 != nil || err2 != nil || from >= to || from < prev {
			return nil, fmt.Errorf("bad time range %q", p)
		}
		prev = to
		out = append(out, span{from, to})
	}
	return out, nil
}

func parseClock(s string) (int, error) {
	h, m, ok := strings.Cut(s, ":")
	if !ok || len(h) != 2 || len(m) != 2 {
		return 0, fmt.Errorf("bad time %q", s)
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || mm < 0 || mm > 59 || hh > 24 || (hh == 24 && mm != 0) {
		return 0, fmt.Errorf("bad time %q", s)
	}
	return hh*60 + mm, nil
}

func parseYearEnd(fields []string) (*yearEnd, error) {
	if len(fields) != 3 || fields[2] != "closed" {
		return nil, fmt.Errorf("want \"yearend MM/DD-MM/DD closed\"")
	}
	a, b, ok := strings.Cut(fields[1], "-")
	if !ok {
		return nil, fmt.Errorf("bad year-end range %q", fields[1])
	}
	var ye yearEnd
	if _, err := fmt.Sscanf(a, "%d/%d", &ye.fromMonth, &ye.fromDay); err != nil {
		return nil, fmt.Errorf("bad year-end start %q", a)
	}
	if _, err := fmt.Sscanf(b, "%d/%d", &ye.toMonth, &ye.toDay); err != nil {
		return nil, fmt.Errorf("bad year-end end %q", b)
	}
	if ye.fromMonth < 1 || ye.fromMonth > 12 || ye.toMonth < 1 || ye.toMonth > 12 ||
		ye.fromDay < 1 || ye.fromDay > 31 || ye.toDay < 1 || ye.toDay > 31 {
		return nil, fmt.Errorf("bad year-end range %q", fields[1])
	}
	return &ye, nil
}

// HolidayFunc reports whether a date in Japan is a national holiday.
type HolidayFunc func(day time.Time) bool

func (r *dayRule) matches(day time.Time, holiday bool) bool {
	switch {
	case r.holiday:
		return holiday
	case r.mday != 0:
		return day.Day() == r.mday
	}
	if !r.weekdays[day.Weekday()] {
		return false
	}
	if len(r.nth) == 0 {
		return true
	}
	week := (day.Day()-1)/7 + 1
	for _, n := range r.nth {
		if n == week {
			return true
		}
	}
	return false
}

func (y *yearEnd) covers(day time.Time) bool {
	md := int(day.Month())*100 + day.Day()
	from := y.fromMonth*100 + y.fromDay
	to := y.toMonth*100 + y.toDay
	if from <= to {
		return md >= from && md <= to
	}
	return md >= from || md <= to
}

// day returns what holds on the calendar day of t: the open spans, and
// whether the day "varies" (also a holiday that no clause speaks of). Weekday and holiday clauses apply in order, a
// later one replacing an earlier; day-of-month clauses then add their spans,
// because the reference uses them for extra hours (いのちの電話 on the 10th).
func (s *Schedule) day(day time.Time, isHoliday HolidayFunc) (spans []span, varies bool) {
	if s.yearEnd != nil && s.yearEnd.covers(day) {
		return nil, false
	}
	holiday := isHoliday != nil && isHoliday(day)
	if holiday && !s.holidays {
		return nil, true
	}
	for i := range s.rules {
		r := &s.rules[i]
		if r.mday != 0 || !r.matches(day, holiday) {
			continue
		}
		spans, varies = r.spans, r.varies
	}
	for i := range s.rules {
		if r := &s.rules[i]; r.mday != 0 && r.matches(day, holiday) {
			spans = mergeSpans(spans, r.spans)
		}
	}
	return spans, varies
}

func mergeSpans(a, b []span) []span {
	out := append(append([]span(nil), a...), b...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].from < out[j-1].from; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	merged := out[:0]
	for _, sp := range out {
		if n := len(merged); n > 0 && sp.from <= merged[n-1].to {
			if sp.to > merged[n-1].to {
				merged[n-1].to = sp.to
			}
			continue
		}
		merged = append(merged, sp)
	}
	return merged
}

// State is the answer to "is it open at this moment".
type State int

// States.
const (
	Unknown State = iota // no hours, or they depend on the local office
	Open
	Closed
)

// At says whether the schedule is open at t. Unknown for n/a and varies, and
// for a day whose hours vary.
func (s *Schedule) At(t time.Time, isHoliday HolidayFunc) State {
	switch s.Kind {
	case Always:
		return Open
	case NoHours, Varies:
		return Unknown
	}
	t = t.In(Tokyo)
	spans, varies := s.day(t, isHoliday)
	if varies {
		return Unknown
	}
	m := t.Hour()*60 + t.Minute()
	for _, sp := range spans {
		if m >= sp.from && m < sp.to {
			return Open
		}
	}
	return Closed
}

// NextOpen returns the first moment after t when the schedule opens, looking
// at most 14 days ahead. ok is false for schedules that are always open, have
// no hours or vary, and when nothing opens within the horizon.
func (s *Schedule) NextOpen(t time.Time, isHoliday HolidayFunc) (next time.Time, ok bool) {
	if s.Kind != Timed {
		return time.Time{}, false
	}
	t = t.In(Tokyo)
	midnight := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, Tokyo)
	now := t.Hour()*60 + t.Minute()
	for d := 0; d <= 14; d++ {
		day := midnight.AddDate(0, 0, d)
		spans, varies := s.day(day, isHoliday)
		if varies {
			return time.Time{}, false
		}
		for _, sp := range spans {
			if d == 0 && sp.from <= now {
				continue
			}
			return day.Add(time.Duration(sp.from) * time.Minute), true
		}
	}
	return time.Time{}, false
}

// Summary returns the ranges open on the day of t in words, such as
// "10:00-12:00, 13:30-17:00", or "" when closed.
func (s *Schedule) Summary(t time.Time, isHoliday HolidayFunc) string {
	if s.Kind != Timed {
		return ""
	}
	spans, _ := s.day(t.In(Tokyo), isHoliday)
	parts := make([]string, len(spans))
	for i, sp := range spans {
		parts[i] = fmt.Sprintf("%02d:%02d-%02d:%02d", sp.from/60, sp.from%60, sp.to/60, sp.to%60)
	}
	return strings.Join(parts, ", ")
}

// ParseTime reads a moment as people and programs write it: RFC 3339
// (2026-11-24T10:30:00+09:00), or the same without an offset, a browser's
// datetime-local value (2026-11-24T10:30) or a date, all in Japan time. The
// empty string means now. The result is in Japan time.
func ParseTime(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return now.In(Tokyo), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.In(Tokyo), nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, Tokyo); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("bad time %q: write it as 2026-11-24T10:30:00+09:00 (or without +09:00 for Japan time)", s)
}
