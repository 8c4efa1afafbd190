package kb_test

import (
	"bytes"
	"io/fs"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/jp"

	"github.com/kakekomi/kakekomi/internal/kb"
)

func TestEmbeddedIsValid(t *testing.T) {
	if _, err := kb.Load(kb.Embedded()); err != nil {
		t.Fatal(err)
	}
}

// TestHolidaysMatchLibrary checks the holiday data against a maintained
// library for every year the data covers. The library is used only here: it
// has a data race and stops knowing 国民の休日 after 2032.
func TestHolidaysMatchLibrary(t *testing.T) {
	k, err := kb.Load(kb.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	c := cal.NewBusinessCalendar()
	c.AddHoliday(jp.Holidays...)
	first, last := k.HolidayYears[0], k.HolidayYears[1]
	if first > 2024 || last < 2030 {
		t.Fatalf("holidays cover %d-%d; want at least 2024-2030", first, last)
	}
	for d := time.Date(first, 1, 1, 12, 0, 0, 0, time.UTC); d.Year() <= last; d = d.AddDate(0, 0, 1) {
		actual, observed, _ := c.IsHoliday(d)
		want := actual || observed
		_, got := k.IsHoliday(d)
		if got != want {
			t.Errorf("%s: holiday in data = %v, in library = %v", d.Format(time.DateOnly), got, want)
		}
	}
}

// TestSnapshotMatchesYAML fails when someone edited the YAML files (or the
// knowledge base's fields) without rebuilding the snapshot that the binary
// reads at start.
func TestSnapshotMatchesYAML(t *testing.T) {
	ok, err := kb.SnapshotMatches(kb.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		t.Fatalf("internal/kb/data/%s was not made from the YAML files as they are: run `go run ./cmd/kakekomi kb snapshot` and commit it", kb.SnapshotFile)
	}
}

// TestBuiltinIsTheYAML checks that the knowledge base read from the
// snapshot is the one decoded from the YAML, field for field, including
// what is made at load.
func TestBuiltinIsTheYAML(t *testing.T) {
	want, err := kb.Load(kb.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	got, err := kb.FromSnapshot(kb.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the snapshot's knowledge base differs from the YAML's: %s", cmp.Diff(want, got, cmp.Exporter(func(reflect.Type) bool { return true })))
	}
}

// TestStaleSnapshotIsNotUsed checks that edited YAML is what the binary
// answers from before the snapshot is rebuilt.
func TestStaleSnapshotIsNotUsed(t *testing.T) {
	fsys := embeddedCopy(t)
	fsys["kb.yaml"].Data = bytes.Replace(fsys["kb.yaml"].Data, []byte("version: "), []byte("version: 2099-01-01\n# was: "), 1)
	k, err := kb.Open(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if k.Version != "2099-01-01" {
		t.Fatalf("the edit did not take: version %s", k.Version)
	}
	if ok, err := kb.SnapshotMatches(fsys); err != nil || ok {
		t.Errorf("SnapshotMatches = %v, %v after an edit; want false", ok, err)
	}
}

// BenchmarkLoad measures decoding and validating the YAML files, which kb
// check and training pay; BenchmarkBuiltin what every other process pays
// once at start.
func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := kb.Load(kb.Embedded()); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBuiltin(b *testing.B) {
	for b.Loop() {
		if _, err := kb.Builtin(); err != nil {
			b.Fatal(err)
		}
	}
}

// TestTextCutByCommentIsRefused checks that advice whose unquoted text holds
// " #" (as in 「相談する #9110 か…」) is named as a problem: YAML would drop
// the rest of the sentence without a word.
func TestTextCutByCommentIsRefused(t *testing.T) {
	fsys := embeddedCopy(t)
	steps := string(fsys["steps.yaml"].Data)
	fsys["steps.yaml"].Data = []byte(steps + "\n  - id: call_advice_line\n    when: soon\n    text:\n      ja: 警察相談専用電話 #9110 に相談する。\n    why:\n      ja: 相談できます。\n")
	_, err := kb.Load(fsys)
	if err == nil || !strings.Contains(err.Error(), `cut at " #"`) {
		t.Fatalf("want the cut text named, got %v", err)
	}
}

// embeddedCopy returns the embedded knowledge base files as a map to edit.
func embeddedCopy(t *testing.T) fstest.MapFS {
	t.Helper()
	fsys := fstest.MapFS{}
	err := fs.WalkDir(kb.Embedded(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(kb.Embedded(), p)
		fsys[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return fsys
}

// TestCheckerPhrasesRefused checks that kb check names each mistake a
// counsellor can make in the checker's phrase groups: the checker would
// otherwise find a blank phrase in every message, or lose a reason.
func TestCheckerPhrasesRefused(t *testing.T) {
	const group = "    class: fraud\n    weight: 0.5\n    text: {ja: \"%s\", en: \"%s\"}\n"
	tests := []struct{ name, old, new, want string }{
		{"unknown class", "class: fraud\n    weight: 0.6", "class: billing\n    weight: 0.6", `class "billing" must be one of`},
		{"weight", "weight: 0.6\n    type: fictitious_billing", "weight: 1.5\n    type: fictitious_billing", "weight 1.5 must be in (0, 1]"},
		{"unknown type", "type: fictitious_billing", "type: fake_bills", `type "fake_bills" is not a trouble type`},
		{"unknown field", "type: fictitious_billing", "type: fictitious_billing\n    tags: [bill]", "unknown field"},
		{"empty group", "  - id: dating_bait", "  - id: empty_group\n" + group + "  - id: dating_bait", "empty_group: any and all are both empty"},
		{"duplicate id", "  - id: dating_bait", "  - id: one_click\n" + group + "    any: [請求]\n  - id: dating_bait", `phrase group id "one_click" is used twice`},
		{"blank phrase", "any: [未納料金,", `any: [" ", 未納料金,`, `phrase " " is empty once folded`},
		{"missing group", "  - id: support_scam", "  - id: support_scam_old", `phrase group "support_scam" is missing`},
		{"text without words", `ja: "%sなど、架空請求`, `ja: "架空請求`, "must hold %s once"},
		{"blank denial", "denials: [", `denials: ["　", `, `checker.yaml: denials: phrase "\u3000" is empty once folded`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := embeddedCopy(t)
			data := string(fsys["checker.yaml"].Data)
			if !strings.Contains(data, tt.old) {
				t.Fatalf("checker.yaml has no %q to edit", tt.old)
			}
			fsys["checker.yaml"].Data = []byte(strings.Replace(data, tt.old, tt.new, 1))
			_, err := kb.Load(fsys)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("want a problem with %q, got %v", tt.want, err)
			}
		})
	}
}
