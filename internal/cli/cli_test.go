package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// run runs the command line in-process and returns its exit status and
// output.
func run(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	env := Env{
		Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut,
		Getenv: func(string) string { return "" },
		Now:    func() time.Time { return time.Date(2026, 11, 24, 1, 30, 0, 0, time.UTC) },
	}
	code = Run(context.Background(), args, env)
	return code, out.String(), errOut.String()
}

func TestTriageReadableGolden(t *testing.T) {
	tests := []struct{ name, text string }{
		{"shop_transfer", "ネット通販で安かったので5万円振り込んだのに商品が届かない。お店と連絡がとれません。"},
		{"phishing_card", "宅配業者を名乗るSMSのリンクを開いて、カード番号を入力してしまいました。"},
		{"emergency_threat", "SNSで「今夜お前の家に行って殺す」と書かれた。住所も知られている。"},
		{"no_trouble", "おいしいカレーの作り方を教えてください。"},
		{"child_bullying", "クラスのLINEグループから外されて悪口を書かれている。中2です。"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := run(t, "", "triage", "--at", "2026-11-24T10:30:00+09:00", tt.text)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			golden := filepath.Join("testdata", "golden", tt.name+".txt")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/cli -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), out); diff != "" {
				t.Errorf("output differs from %s (-want +got):\n%s", golden, diff)
			}
		})
	}
}

func TestTriageEmergencyComesFirst(t *testing.T) {
	code, out, _ := run(t, "", "triage", "SNSで「今夜お前の家に行って殺す」と書かれた。")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	if !strings.HasPrefix(out, "【緊急】") {
		t.Errorf("output does not start with the emergency:\n%s", out)
	}
	if !strings.Contains(out, "110") {
		t.Errorf("emergency output does not name 110:\n%s", out)
	}
}

func TestTriageJSONFromStdin(t *testing.T) {
	code, out, errOut := run(t, "カードの明細に身に覚えのない請求があります", "triage", "--json", "--at", "2026-11-24T10:30:00")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var r struct {
		At    string `json:"at"`
		Types []struct {
			ID    string  `json:"id"`
			Score float64 `json:"score"`
		} `json:"types"`
		Desks []struct {
			ID      string `json:"id"`
			Sources []struct {
				URL     string `json:"url"`
				Checked string `json:"checked"`
			} `json:"sources"`
		} `json:"desks"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if r.At != "2026-11-24T10:30:00+09:00" {
		t.Errorf("at = %q, want Japan time", r.At)
	}
	if len(r.Types) == 0 || r.Types[0].ID != "card_fraud" {
		t.Errorf("types = %+v, want card_fraud first", r.Types)
	}
	for _, d := range r.Desks {
		if len(d.Sources) == 0 {
			t.Errorf("desk %s has no sources", d.ID)
		}
	}
}

func TestBadInputExitsTwoWithOneLine(t *testing.T) {
	tests := []struct {
		name  string
		stdin string
		args  []string
	}{
		{"empty text", "", []string{"triage", "   "}},
		{"empty stdin", "", []string{"triage"}},
		{"invalid UTF-8", "\xff\xfe届かない", []string{"triage"}},
		{"too long", strings.Repeat("あ", 10001), []string{"triage"}},
		{"unknown flag", "", []string{"triage", "--color", "x"}},
		{"bad time", "", []string{"triage", "--at", "tomorrow", "届かない"}},
		{"bad desks time", "", []string{"desks", "--at", "25:00"}},
		{"unknown command", "", []string{"frobnicate"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := run(t, tt.stdin, tt.args...)
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if n := strings.Count(errOut, "\n"); n != 1 {
				t.Errorf("stderr has %d lines, want one: %q", n, errOut)
			}
		})
	}
}

func TestTriageBatchGoesOnAfterBadLine(t *testing.T) {
	in := strings.Join([]string{
		`{"id":"a","text":"ワンクリックで登録完了と出て料金を請求された"}`,
		`not json`,
		`{"id":"c","text":""}`,
		`{"id":"d","text":"届かない","at":"yesterday"}`,
		`{"id":"e","text":"SNSのアカウントを乗っ取られた","context":{"minor":true}}`,
		"{\"id\":\"f\",\"text\":\"カードに\xff請求\"}",
		`{"id":"g","text":"カードに\ud800請求"}`,
	}, "\n")
	code, out, errOut := run(t, in, "triage", "--jsonl")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 7 {
		t.Fatalf("got %d output lines, want 7:\n%s", len(lines), out)
	}
	if !strings.Contains(lines[5], "line 6 is not valid UTF-8") {
		t.Errorf("the invalid line is not named: %s", lines[5])
	}
	wantCodes := []string{"", "bad_json", "empty", "bad_time", "", "invalid_utf8", "invalid_utf8"}
	wantIDs := []string{"a", "", "c", "d", "e", "", ""}
	for i, l := range lines {
		var obj struct {
			ID    string `json:"id"`
			Error *struct {
				Code string `json:"code"`
			} `json:"error"`
		}
		if err := json.Unmarshal([]byte(l), &obj); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if obj.ID != wantIDs[i] {
			t.Errorf("line %d: id %q, want %q", i+1, obj.ID, wantIDs[i])
		}
		got := ""
		if obj.Error != nil {
			got = obj.Error.Code
		}
		if got != wantCodes[i] {
			t.Errorf("line %d: error code %q, want %q", i+1, got, wantCodes[i])
		}
	}
}

// TestTriageBatchKeepsInputOrder checks that a batch run on many workers
// writes exactly what one worker writes: every line's answer, in input
// order, though short texts finish before long ones.
func TestTriageBatchKeepsInputOrder(t *testing.T) {
	texts := []string{
		strings.Repeat("フリマアプリで買ったチケットが届かず、出品者と連絡がとれません。", 40),
		"カードに身に覚えのない請求",
		"死にたい",
		"おいしいカレーの作り方",
	}
	var in strings.Builder
	for i := range 120 {
		switch i % 7 {
		case 5:
			in.WriteString("not json\n")
		case 6:
			in.WriteString("\n")
		default:
			fmt.Fprintf(&in, `{"id":"%d","text":%q}`+"\n", i, texts[i%len(texts)])
		}
	}
	env := Env{Getenv: func(string) string { return "" }, Now: time.Now}
	e, err := newEngine(env)
	if err != nil {
		t.Fatal(err)
	}
	outputs := map[int]string{}
	for _, workers := range []int{1, 8} {
		b := triageLines(e, time.Date(2026, 11, 24, 10, 30, 0, 0, time.UTC), "ja", env)
		b.workers = workers
		var out bytes.Buffer
		n, bad, err := b.run(context.Background(), strings.NewReader(in.String()), &out)
		if err != nil {
			t.Fatal(err)
		}
		if n != 120 || bad != 17 {
			t.Errorf("%d workers: read %d lines, %d bad; want 120 and 17", workers, n, bad)
		}
		outputs[workers] = out.String()
	}
	if outputs[1] != outputs[8] {
		t.Error("8 workers wrote something else than 1 worker")
	}
	if got := strings.Count(outputs[8], "\n"); got != 120-17 {
		t.Errorf("%d output lines, want %d", got, 120-17)
	}
}

func TestDesksOnAHoliday(t *testing.T) {
	// 2026-11-23 is 勤労感謝の日: the weekday lines are closed, 110 is open.
	code, out, errOut := run(t, "", "desks", "--json", "--at", "2026-11-23T10:30:00+09:00")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var r struct {
		Desks []struct {
			ID       string  `json:"id"`
			OpenNow  *bool   `json:"open_now"`
			NextOpen *string `json:"next_open"`
		} `json:"desks"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	state := map[string]*bool{}
	next := map[string]*string{}
	for _, d := range r.Desks {
		state[d.ID], next[d.ID] = d.OpenNow, d.NextOpen
	}
	if s := state["police_110"]; s == nil || !*s {
		t.Errorf("110 not open on a holiday: %v", s)
	}
	if s := state["moj_jinken_110"]; s == nil || *s {
		t.Errorf("みんなの人権110番 open on a holiday: %v", s)
	}
	if n := next["moj_jinken_110"]; n == nil || *n != "2026-11-24T08:30:00+09:00" {
		t.Errorf("みんなの人権110番 next opening = %v, want the next morning", n)
	}
	if s := state["antiphishing"]; s != nil {
		t.Errorf("a mail-only desk has open_now %v, want null", *s)
	}
}

func TestDesksOpenFilter(t *testing.T) {
	code, out, _ := run(t, "", "desks", "--open", "--at", "2026-11-23T03:00:00+09:00")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(out, "110") {
		t.Errorf("110 missing from desks open at 3 a.m.:\n%s", out)
	}
	if strings.Contains(out, "みんなの人権110番") {
		t.Errorf("a weekday line listed as open at 3 a.m. on a holiday:\n%s", out)
	}
}

func TestKBCheck(t *testing.T) {
	code, out, errOut := run(t, "", "kb", "check")
	if code != 0 {
		t.Fatalf("exit %d: %s%s", code, out, errOut)
	}
	if !strings.HasPrefix(out, "ok: ") {
		t.Errorf("kb check said %q", out)
	}
}

func TestKBCheckNamesProblems(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "kb.yaml"), []byte("version: soon\nextra: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ := run(t, "", "kb", "check", "--dir", dir)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	for _, want := range []string{"kb.yaml", "extra", "questions.yaml", "desks"} {
		if !strings.Contains(out, want) {
			t.Errorf("problems do not mention %q:\n%s", want, out)
		}
	}
}

// TestKBSnapshotAfterAnEdit follows a counsellor who edits the YAML: kb
// check names the snapshot as out of date until kb snapshot rebuilds it.
func TestKBSnapshotAfterAnEdit(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("../kb/data")); err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(dir, "kb.yaml")
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, append(b, "# edited\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := run(t, "", "kb", "check", "--dir", dir); code != 1 || !strings.Contains(out, "kb snapshot --dir "+dir) {
		t.Errorf("kb check after an edit: exit %d, %q; want 1 and the command that rebuilds the snapshot", code, out)
	}
	if code, out, errOut := run(t, "", "kb", "snapshot", "--dir", dir); code != 0 {
		t.Fatalf("kb snapshot: exit %d: %s%s", code, out, errOut)
	}
	if code, out, errOut := run(t, "", "kb", "check", "--dir", dir); code != 0 {
		t.Errorf("kb check after kb snapshot: exit %d: %s%s", code, out, errOut)
	}
}

// TestTriagePromptsAPersonAtATerminal checks that someone who runs
// kakekomi triage without a description is told what to do, instead of
// facing a silent wait.
func TestTriagePromptsAPersonAtATerminal(t *testing.T) {
	var out, errb bytes.Buffer
	env := Env{Stdin: strings.NewReader("フリマで買った品物が届かない\n"), Stdout: &out, Stderr: &errb,
		Getenv: func(string) string { return "" }, Now: time.Now, StdinIsTerminal: true}
	if code := Run(context.Background(), []string{"triage"}, env); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(errb.String(), "Ctrl-D") {
		t.Errorf("no prompt on standard error: %q", errb.String())
	}
}

// TestKBEvalRefusesBadCorpus checks that a counsellor who points kb eval at
// the wrong folder, or mislabels a message, is told which and what to do.
func TestKBEvalRefusesBadCorpus(t *testing.T) {
	bad := t.TempDir()
	if err := os.WriteFile(filepath.Join(bad, "a.jsonl"), []byte(`{"id":"x","label":"scam","channel":"sms","from":"","subject":"","body":"不在のためお荷物を持ち帰りました","brand":""}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"kb", "eval", "--corpus", "", "--sealed", "", "--messages", bad}, `ラベル "scam" は`},
		{[]string{"kb", "eval", "--corpus", t.TempDir(), "--sealed", "", "--messages", ""}, "--corpus"},
	} {
		var out, errb bytes.Buffer
		env := Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }, Now: time.Now}
		if code := Run(context.Background(), c.args, env); code != 2 || !strings.Contains(errb.String(), c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, errb.String(), c.want)
		}
	}
}
