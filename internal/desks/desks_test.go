package desks_test

import (
	"testing"
	"time"

	"github.com/kakekomi/kakekomi/internal/desks"
	"github.com/kakekomi/kakekomi/internal/hours"
	"github.com/kakekomi/kakekomi/internal/kb"
)

func load(t *testing.T) *kb.KB {
	t.Helper()
	k, err := kb.Load(kb.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, hours.Tokyo)
	if err != nil {
		panic(err)
	}
	return t
}

func view(t *testing.T, k *kb.KB, id string, when time.Time) desks.View {
	t.Helper()
	d := k.Desk(id)
	if d == nil {
		t.Fatalf("no desk %s", id)
	}
	return desks.Describe(k, d, when, "ja")
}

func TestEveryDeskHasSourcesWithCheckedDates(t *testing.T) {
	k := load(t)
	for _, v := range desks.List(k, at("2026-11-24 10:30"), "ja", false) {
		if len(v.Sources) == 0 {
			t.Errorf("%s: no sources", v.ID)
		}
		for _, s := range v.Sources {
			if _, err := time.Parse(time.DateOnly, s.Checked); err != nil {
				t.Errorf("%s: source %s has no checked date", v.ID, s.URL)
			}
		}
	}
}

func TestOpenState(t *testing.T) {
	k := load(t)
	tests := []struct {
		desk     string
		when     string
		open     *bool
		nextOpen string
	}{
		{"police_110", "2026-12-31 03:00", ptr(true), ""},
		{"moj_jinken_110", "2026-11-24 10:30", ptr(true), ""},
		{"moj_jinken_110", "2026-11-23 10:30", ptr(false), "2026-11-24T08:30:00+09:00"}, // 勤労感謝の日
		{"moj_jinken_110", "2026-12-30 10:30", ptr(false), "2027-01-04T08:30:00+09:00"}, // year end
		{"ipa_anshin", "2026-11-24 12:45", ptr(false), "2026-11-24T13:30:00+09:00"},     // lunch break
		{"jadma_110", "2026-11-28 11:00", ptr(false), "2026-11-30T10:00:00+09:00"},      // Saturday
		{"antiphishing", "2026-11-24 10:30", nil, ""},                                   // mail and web form only
		{"nissankyo", "2026-11-24 13:00", nil, ""},                                      // hours the reference does not trust
		{"houterasu", "2026-11-23 11:00", nil, ""},                                      // holiday hours not stated
	}
	for _, tt := range tests {
		v := view(t, k, tt.desk, at(tt.when))
		switch {
		case (v.OpenNow == nil) != (tt.open == nil):
			t.Errorf("%s at %s: open_now = %v, want %v", tt.desk, tt.when, fmtBool(v.OpenNow), fmtBool(tt.open))
		case v.OpenNow != nil && *v.OpenNow != *tt.open:
			t.Errorf("%s at %s: open_now = %v, want %v", tt.desk, tt.when, *v.OpenNow, *tt.open)
		}
		got := ""
		if v.NextOpen != nil {
			got = *v.NextOpen
		}
		if got != tt.nextOpen {
			t.Errorf("%s at %s: next_open = %q, want %q", tt.desk, tt.when, got, tt.nextOpen)
		}
	}
}

func TestPrefectureLineIsNotTheMainNumber(t *testing.T) {
	k := load(t)
	v := view(t, k, "police_cyber_desk", at("2026-11-24 10:30"))
	if v.Phone == "03-5805-1731" {
		t.Error("the Tokyo police's number is given as the number for everyone")
	}
	found := false
	for _, l := range v.Lines {
		if l.Value == "03-5805-1731" {
			found = l.Prefecture == "東京都"
		}
	}
	if !found {
		t.Error("the Tokyo line is not listed with its prefecture")
	}
}

func TestSeedOnlyHoursCarryACaution(t *testing.T) {
	k := load(t)
	v := view(t, k, "ipa_anshin", at("2026-11-24 10:30"))
	for _, l := range v.Lines {
		if l.Kind == "phone" && l.Caution == "" {
			t.Error("seed-only hours shown without a caution")
		}
	}
}

func ptr(b bool) *bool { return &b }

func fmtBool(b *bool) any {
	if b == nil {
		return "null"
	}
	return *b
}

// BenchmarkList measures the views of every desk at one moment, which
// GET /api/v1/desks and the desks page make on every request.
func BenchmarkList(b *testing.B) {
	k, err := kb.Load(kb.Embedded())
	if err != nil {
		b.Fatal(err)
	}
	when := at("2026-11-24 10:30")
	b.ReportAllocs()
	for b.Loop() {
		desks.List(k, when, "ja", false)
	}
}
