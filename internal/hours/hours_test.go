package hours

import (
	"testing"
	"time"
)

// holidays2026 holds the holidays these tests touch; the real list lives in
// the knowledge base.
func holidays2026(day time.Time) bool {
	switch day.Format(time.DateOnly) {
	case "2026-11-23", "2026-01-01", "2026-01-12":
		return true
	}
	return false
}

func jst(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, Tokyo)
	if err != nil {
		panic(err)
	}
	return t
}

const weekdayWithLunch = "mon-fri 10:00-12:00,13:30-17:00; sat closed; sun closed; holiday closed; yearend 12/29-01/03 closed"

func TestAt(t *testing.T) {
	tests := []struct {
		name string
		spec string
		at   time.Time
		want State
	}{
		{"weekday morning", weekdayWithLunch, jst("2026-11-24 10:30"), Open},
		{"lunch break", weekdayWithLunch, jst("2026-11-24 12:30"), Closed},
		{"after lunch", weekdayWithLunch, jst("2026-11-24 13:30"), Open},
		{"closing time is closed", weekdayWithLunch, jst("2026-11-24 17:00"), Closed},
		{"before opening", weekdayWithLunch, jst("2026-11-24 09:59"), Closed},
		{"勤労感謝の日 2026-11-23 is a Monday holiday", weekdayWithLunch, jst("2026-11-23 10:30"), Closed},
		{"Saturday", weekdayWithLunch, jst("2026-11-28 10:30"), Closed},
		{"year end", weekdayWithLunch, jst("2026-12-29 10:30"), Closed},
		{"new year", weekdayWithLunch, jst("2027-01-04 10:30"), Open},
		{"still new year", weekdayWithLunch, jst("2027-01-01 10:30"), Closed},
		{"given in UTC: 01:30Z is 10:30 in Japan", weekdayWithLunch, time.Date(2026, 11, 24, 1, 30, 0, 0, time.UTC), Open},
		{"given in UTC: Monday 23:00Z is Tuesday 08:00 in Japan", weekdayWithLunch, time.Date(2026, 11, 23, 23, 0, 0, 0, time.UTC), Closed},
		{"holiday hours apply on a holiday", "mon-fri varies; sat 10:00-16:00; sun 10:00-16:00; holiday 10:00-16:00", jst("2026-11-23 11:00"), Open},
		{"holiday hours not stated", "mon-fri 09:00-21:00; sat 09:00-17:00; sun closed", jst("2026-11-23 11:00"), Unknown},
		{"weekday varies", "mon-fri varies; sat 10:00-16:00", jst("2026-11-24 11:00"), Unknown},
		{"24h", "24h", jst("2026-12-31 03:00"), Open},
		{"web form", "n/a", jst("2026-11-24 10:30"), Unknown},
		{"until midnight", "mon-sun 16:00-24:00", jst("2026-11-24 23:59"), Open},
		{"10th of the month from 8:00", "mon-sun 16:00-21:00; d10 08:00-24:00; d11 00:00-08:00", jst("2026-12-10 09:00"), Open},
		{"into the 11th", "mon-sun 16:00-21:00; d10 08:00-24:00; d11 00:00-08:00", jst("2026-12-11 07:00"), Open},
		{"day-of-month clause before weekdays", "d10 08:00-24:00; mon-sun 16:00-21:00", jst("2026-12-10 09:00"), Open},
		{"an ordinary morning", "mon-sun 16:00-21:00; d10 08:00-24:00; d11 00:00-08:00", jst("2026-12-12 09:00"), Closed},
		{"first Monday", "mon#1,3 16:00-21:00; tue-sat 16:00-21:00", jst("2026-12-07 17:00"), Open},
		{"second Monday", "mon#1,3 16:00-21:00; tue-sat 16:00-21:00", jst("2026-12-14 17:00"), Closed},
		{"third Monday", "mon#1,3 16:00-21:00; tue-sat 16:00-21:00", jst("2026-12-21 17:00"), Open},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse(tt.spec)
			if err != nil {
				t.Fatal(err)
			}
			if got := s.At(tt.at, holidays2026); got != tt.want {
				t.Errorf("At(%s) = %v, want %v", tt.at.Format(time.RFC3339), got, tt.want)
			}
		})
	}
}

func TestNextOpen(t *testing.T) {
	tests := []struct {
		name string
		at   time.Time
		want string
	}{
		{"in the lunch break", jst("2026-11-24 12:10"), "2026-11-24T13:30:00+09:00"},
		{"Friday evening: Monday", jst("2026-11-20 18:00"), "2026-11-24T10:00:00+09:00"}, // Monday 23rd is a holiday
		{"before the year-end closure", jst("2026-12-28 18:00"), "2027-01-04T10:00:00+09:00"},
		{"early morning", jst("2026-11-25 07:00"), "2026-11-25T10:00:00+09:00"},
	}
	s, err := Parse(weekdayWithLunch)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next, ok := s.NextOpen(tt.at, holidays2026)
			if !ok {
				t.Fatal("no next opening")
			}
			if got := next.Format(time.RFC3339); got != tt.want {
				t.Errorf("NextOpen = %s, want %s", got, tt.want)
			}
		})
	}
	if _, ok := mustParse(t, "24h").NextOpen(jst("2026-11-24 10:00"), nil); ok {
		t.Error("24h has a next opening")
	}
}

func mustParse(t *testing.T, spec string) *Schedule {
	t.Helper()
	s, err := Parse(spec)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestParseRejects(t *testing.T) {
	for _, spec := range []string{
		"", "mon-fri", "mon-fri 10:00", "mon-fri 17:00-10:00", "xyz 10:00-12:00", "mon-fri 25:00-26:00",
		"mon-fri 10:00-12:00,11:00-13:00", "24h; mon closed", "yearend 12/29-01/03", "yearend 13/01-01/03 closed",
		"mon#6 10:00-12:00", "d32 10:00-12:00", "mon-fri 10:60-11:00", ";",
	} {
		if _, err := Parse(spec); err == nil {
			t.Errorf("Parse(%q) accepted a bad spec", spec)
		}
	}
}

func TestSummary(t *testing.T) {
	s := mustParse(t, weekdayWithLunch)
	if got := s.Summary(jst("2026-11-24 08:00"), holidays2026); got != "10:00-12:00, 13:30-17:00" {
		t.Errorf("Summary = %q", got)
	}
	if got := s.Summary(jst("2026-11-23 08:00"), holidays2026); got != "" {
		t.Errorf("Summary on a holiday = %q, want closed", got)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{weekdayWithLunch, "24h", "n/a", "varies", "mon#1,3 16:00-21:00; d10 08:00-24:00", "holiday 10:00-16:00"} {
		f.Add(s, int64(1795000000))
	}
	f.Fuzz(func(t *testing.T, spec string, unix int64) {
		s, err := Parse(spec)
		if err != nil {
			return
		}
		at := time.Unix(unix%4e9, 0)
		state := s.At(at, holidays2026)
		next, ok := s.NextOpen(at, holidays2026)
		if ok {
			if !next.After(at.Add(-time.Minute)) {
				t.Fatalf("%q: next opening %v is before %v", spec, next, at)
			}
			if got := s.At(next, holidays2026); got != Open {
				t.Fatalf("%q: not open at its next opening %v (state %v)", spec, next, got)
			}
		}
		if state == Open && s.Kind == NoHours {
			t.Fatalf("%q: a schedule without hours is open", spec)
		}
	})
}
