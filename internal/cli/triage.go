package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/kakekomi/kakekomi/internal/jsonin"
	"github.com/kakekomi/kakekomi/internal/triage"
)

// maxLine is the longest --jsonl input line accepted (a 10,000-character
// description in UTF-8 with JSON escapes fits easily).
const maxLine = 1 << 20

func runTriage(ctx context.Context, args []string, env Env) error {
	fs := newFlags("triage", env)
	asJSON := fs.Bool("json", false, "print the triage object as JSON")
	jsonl := fs.Bool("jsonl", false, "batch: read JSON Lines {\"id\",\"text\",\"at\",\"context\"} from standard input")
	at := fs.String("at", "", "judge opening hours at `TIME` (default now)")
	minor := fs.Bool("minor", false, "the person in trouble is under 18")
	prefecture := fs.String("prefecture", "", "the person's `prefecture`, e.g. 東京都")
	lang := fs.String("lang", "ja", "language of the answer: ja or en")
	if err := parseFlags(fs, args, env); err != nil {
		return err
	}
	if *lang != "ja" && *lang != "en" {
		return usagef("triage: --lang は ja か en にしてください。")
	}
	when, err := ParseTime(*at, env.Now)
	if err != nil {
		return timeProblem("triage", "--at")
	}
	e, err := newEngine(env)
	if err != nil {
		return err
	}
	if *jsonl {
		if fs.NArg() > 0 {
			return usagef("triage: --jsonl のときは標準入力から読みます。相談の内容を引数には書かないでください。")
		}
		return triageBatch(ctx, e, when, *lang, env)
	}
	if *prefecture != "" {
		if _, ok := triage.Prefecture(*prefecture); !ok {
			return usagef("triage: --prefecture の都道府県名が分かりません。東京都、大阪府、北海道のように書いてください。")
		}
	}
	var text string
	switch {
	case fs.NArg() > 1:
		return usagef("triage: 相談の内容は、引用符で囲んで1つの引数にするか、標準入力から渡してください。")
	case fs.NArg() == 1 && fs.Arg(0) != "-":
		text = fs.Arg(0)
	default:
		if env.StdinIsTerminal {
			fmt.Fprintln(env.Stderr, "何があったかを書いてください。書き終えたら、新しい行で Ctrl-D を押してください。")
		}
		if text, err = readAll(env.Stdin, 4*triage.MaxTextRunes+4); err != nil {
			return err
		}
	}
	r, err := e.Triage(triage.Input{Text: text, At: when, Lang: *lang,
		Context: triage.Context{Minor: *minor, Prefecture: *prefecture}})
	if err != nil {
		return usagef("triage: %s", triageMessage(err))
	}
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	return writeReport(env.Stdout, r)
}

// batchLine is one line of --jsonl input.
type batchLine struct {
	ID      string         `json:"id"`
	Text    *string        `json:"text"`
	At      string         `json:"at"`
	Context triage.Context `json:"context"`
	Lang    string         `json:"lang"`
}

// batchError is the object written in place of a triage object for a bad
// input line.
type batchError struct {
	ID    string `json:"id"`
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// triageBatch triages JSON Lines on every core, writing the answers in
// input order.
func triageBatch(ctx context.Context, e *triage.Engine, defaultAt time.Time, lang string, env Env) error {
	b := triageLines(e, defaultAt, lang, env)
	b.workers = runtime.GOMAXPROCS(0)
	started := env.Now()
	if env.StderrIsTerminal {
		b.progress = func(n, _ int) {
			if n%1000 == 0 {
				fmt.Fprintf(env.Stderr, "\r%d 件処理しました（%.0f 件/秒）", n, float64(n)/env.Now().Sub(started).Seconds())
			}
		}
	}
	n, bad, err := b.run(ctx, env.Stdin, env.Stdout)
	if env.StderrIsTerminal && n >= 1000 {
		fmt.Fprintf(env.Stderr, "\r%d 件処理しました（エラー %d 件）\n", n, bad)
	}
	return err
}

// triageLines is the batch that triages each line, with an error object
// in place of the answer for a line that cannot be triaged.
func triageLines(e *triage.Engine, defaultAt time.Time, lang string, env Env) lineBatch {
	fail := func(id, code, msg string) (any, bool) {
		var be batchError
		be.ID, be.Error.Code, be.Error.Message = id, code, msg
		return be, true
	}
	return lineBatch{cmd: "triage --jsonl", maxLine: maxLine, do: func(n int, raw []byte) (any, bool) {
		if err := jsonin.Check(raw); err != nil {
			return fail("", "invalid_utf8", fmt.Sprintf("line %d is %v", n, err))
		}
		var in batchLine
		if err := json.Unmarshal(raw, &in); err != nil {
			return fail("", "bad_json", fmt.Sprintf("line %d is not a JSON object: %v", n, err))
		}
		if in.Text == nil {
			return fail(in.ID, "missing_text", fmt.Sprintf("line %d has no \"text\"", n))
		}
		at := defaultAt
		if in.At != "" {
			t, err := ParseTime(in.At, env.Now)
			if err != nil {
				return fail(in.ID, "bad_time", err.Error())
			}
			at = t
		}
		l := lang
		if in.Lang != "" {
			l = in.Lang
		}
		r, err := e.Triage(triage.Input{ID: in.ID, Text: *in.Text, At: at, Context: in.Context, Lang: l})
		if err != nil {
			return fail(in.ID, triage.ErrorCode(err), err.Error())
		}
		return r, false
	}}
}

// lineError turns the error that stopped reading JSON Lines at line n into
// the command's error: a line over limit bytes is bad input.
func lineError(cmd string, err error, n, limit int) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, bufio.ErrTooLong):
		return usagef("%s: %d 行目が長すぎるため、そこで止めました（1行 %d KiB まで）。", cmd, n, limit>>10)
	}
	return fmt.Errorf("%s: 標準入力の %d 行目を読めませんでした: %w", cmd, n, err)
}

// triageMessages say in Japanese what was wrong with a description, by
// triage.ErrorCode.
var triageMessages = map[string]string{
	"empty":        "何があったかを書いてください（内容が空です）。",
	"too_long":     fmt.Sprintf("文章が長すぎます。%d 文字までにしてください。", triage.MaxTextRunes),
	"invalid_utf8": "文字を読み取れませんでした。UTF-8 の文章にしてください。",
	"bad_input":    "入力の形が正しくありません。",
}

func triageMessage(err error) string {
	if m, ok := triageMessages[triage.ErrorCode(err)]; ok {
		return m
	}
	return err.Error()
}
