package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/kakekomi/kakekomi/internal/jsonin"
	"github.com/kakekomi/kakekomi/internal/kb"
	"github.com/kakekomi/kakekomi/internal/mailcheck"
)

func runCheck(ctx context.Context, args []string, env Env) error {
	fs := newFlags("check", env)
	asJSON := fs.Bool("json", false, "print the check object as JSON")
	jsonl := fs.Bool("jsonl", false, `batch: read JSON Lines {"id","text" or "eml" or "url"} from standard input`)
	text := fs.String("text", "", "check the pasted message `TEXT` (SMS, chat, mail body)")
	rawURL := fs.String("url", "", "check the web address `URL` without opening it")
	lang := fs.String("lang", "ja", "language of the answer: ja or en (reports to desks stay in Japanese)")
	if err := parseFlags(fs, args, env); err != nil {
		return err
	}
	if *lang != "ja" && *lang != "en" {
		return usagef("check: --lang は ja か en にしてください。")
	}
	given := 0
	for _, set := range []bool{*jsonl, *text != "", *rawURL != "", fs.NArg() > 0} {
		if set {
			given++
		}
	}
	switch {
	case fs.NArg() > 1:
		return usagef("check: メールのファイルは1つだけ指定してください（- なら標準入力から読みます）。")
	case given > 1:
		return usagef("check: FILE.eml、--text、--url、--jsonl のどれか1つだけを指定してください。")
	case given == 0:
		return usagef("check: 調べるものを指定してください。メールのファイル（FILE.eml、- なら標準入力）、--text 文章、--url アドレスのどれかです。")
	}
	k, err := loadKB()
	if err != nil {
		return err
	}
	c := mailcheck.New(k)
	if *jsonl {
		return checkBatch(ctx, c, *lang, env)
	}
	opts := mailcheck.Options{Lang: *lang}
	var r *mailcheck.Result
	switch {
	case *text != "":
		r, err = c.CheckText(*text, opts)
	case *rawURL != "":
		r, err = c.CheckURL(*rawURL, opts)
	case fs.Arg(0) == "-":
		r, err = c.CheckMail(env.Stdin, opts)
	default:
		f, oerr := openInput("check: ", fs.Arg(0))
		if oerr != nil {
			return oerr
		}
		defer f.Close()
		r, err = c.CheckMail(f, opts)
	}
	if err != nil {
		if text := mailcheck.ErrorText(err, *lang); text != "" {
			return usagef("check: %s", text)
		}
		return fmt.Errorf("check: 調べられませんでした: %w", withoutPath(err))
	}
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	return writeCheck(env.Stdout, r, k, *lang)
}

// checkLine is one line of check --jsonl input. Lang, when given,
// overrides --lang for the line.
type checkLine struct {
	ID   string  `json:"id"`
	Text *string `json:"text"`
	EML  *string `json:"eml"`
	URL  *string `json:"url"`
	Lang string  `json:"lang"`
}

func checkBatch(ctx context.Context, c *mailcheck.Checker, lang string, env Env) error {
	sc := bufio.NewScanner(env.Stdin)
	// Mails above the checker's limit are refused by the scanner, which
	// stops the batch with a clear error.
	sc.Buffer(make([]byte, 64*1024), maxCheckLine)
	out := bufio.NewWriter(env.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	fail := func(id, code, msg string) error {
		var be batchError
		be.ID, be.Error.Code, be.Error.Message = id, code, msg
		return enc.Encode(be)
	}
	n := 0
	for sc.Scan() {
		if err := ctx.Err(); err != nil {
			return err
		}
		n++
		raw := sc.Bytes()
		if len(strings.TrimSpace(string(raw))) == 0 {
			continue
		}
		if err := jsonin.Check(raw); err != nil {
			if err := fail("", "invalid_utf8", fmt.Sprintf("line %d is %v", n, err)); err != nil {
				return err
			}
			continue
		}
		var in checkLine
		if err := json.Unmarshal(raw, &in); err != nil {
			if err := fail("", "bad_json", fmt.Sprintf("line %d is not a JSON object: %v", n, err)); err != nil {
				return err
			}
			continue
		}
		opts := mailcheck.Options{Lang: lang}
		if in.Lang != "" {
			opts.Lang = in.Lang
		}
		var r *mailcheck.Result
		var err error
		switch {
		case opts.Lang != "ja" && opts.Lang != "en":
			err = errBadLang
		case in.Text != nil:
			r, err = c.CheckText(*in.Text, opts)
		case in.EML != nil:
			r, err = c.CheckMail(strings.NewReader(*in.EML), opts)
		case in.URL != nil:
			r, err = c.CheckURL(*in.URL, opts)
		default:
			err = errMissingInput
		}
		if err != nil {
			if err := fail(in.ID, checkErrorCode(err), fmt.Sprintf("line %d: %s", n, checkErrorMessage(err))); err != nil {
				return err
			}
			continue
		}
		r.ID = in.ID
		if err := enc.Encode(r); err != nil {
			return fmt.Errorf("出力を書けませんでした: %w", err)
		}
	}
	return lineError("check --jsonl", sc.Err(), n+1, maxCheckLine)
}

// maxCheckLine is the longest check --jsonl line: a line may carry a whole
// mail, escaped.
const maxCheckLine = 2 * mailcheck.MaxMailBytes

// Errors of a --jsonl line.
var (
	errMissingInput = errors.New(`the line has none of "text", "eml" or "url"`)
	errBadLang      = errors.New(`"lang" must be "ja" or "en"`)
)

// checkErrorCode names a check input error for JSON output: the command
// line's own errors, else the checker's codes, which the API uses too.
func checkErrorCode(err error) string {
	switch {
	case errors.Is(err, errMissingInput):
		return "missing_input"
	case errors.Is(err, errBadLang):
		return "bad_lang"
	}
	return mailcheck.ErrorCode(err)
}

// checkErrorMessage says what was wrong with a --jsonl line and what to
// do, in English for programs, as the API does, without quoting the line.
func checkErrorMessage(err error) string {
	if text := mailcheck.ErrorText(err, "en"); text != "" {
		return text
	}
	return err.Error()
}

// checkWords are the words of the readable check output, in each language.
var checkWords = map[string]map[string]string{
	"ja": {
		mailcheck.Phishing:   "フィッシング（なりすまし）の疑いが強いメッセージです",
		mailcheck.Fraud:      "架空請求・詐欺の疑いが強いメッセージです",
		mailcheck.Spam:       "広告の迷惑メールです",
		mailcheck.Suspicious: "怪しい点があるメッセージです",
		mailcheck.None:       "強い怪しさは見つかりませんでした",
		"verdict":            "判定: %s\n",
		"brand":              "名乗っている相手: %s\n",
		"signals":            "\nそう判断した理由:",
		"advice":             "\nどうすればよいか:",
		"bullet":             "  ・%s\n",
		"report":             "\n報告先: %s\n件名: %s\n本文:\n",
		"types":              "\nこのメッセージのトラブルの種類: %s\n",
		"list":               "、",
		"triage":             "もう入力や支払いをしてしまったなど、困っていることがあれば kakekomi triage に書いてください。相談の手順と窓口をご案内します。",
	},
	"en": {
		mailcheck.Phishing:   "Very likely a fake message (phishing)",
		mailcheck.Fraud:      "Very likely a scam, such as a fake bill",
		mailcheck.Spam:       "Advertising spam",
		mailcheck.Suspicious: "Some signs of a scam",
		mailcheck.None:       "No strong sign of a scam was found",
		"verdict":            "Verdict: %s\n",
		"brand":              "Pretends to be: %s\n",
		"signals":            "\nWhy:",
		"advice":             "\nWhat to do:",
		"bullet":             "  - %s\n",
		"report":             "\nReport to: %s (in Japanese, for the Japanese desk)\nSubject: %s\nMessage:\n",
		"types":              "\nKind of trouble: %s\n",
		"list":               ", ",
		"triage":             "If you already entered details or paid, or something else worries you, describe it with kakekomi triage --lang en. It gives you the steps to take and the desks to contact.",
	},
}

// writeCheck prints a check result as readable text in lang, naming the
// trouble types by the knowledge base's labels.
func writeCheck(w io.Writer, r *mailcheck.Result, k *kb.KB, lang string) error {
	words := checkWords[lang]
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, words["verdict"], words[r.Verdict])
	if r.BrandName != "" {
		fmt.Fprintf(bw, words["brand"], r.BrandName)
	}
	if len(r.Signals) > 0 {
		fmt.Fprintln(bw, words["signals"])
		for _, s := range r.Signals {
			fmt.Fprintf(bw, words["bullet"], s.Text)
		}
	}
	fmt.Fprintln(bw, words["advice"])
	for _, a := range r.Advice {
		fmt.Fprintf(bw, words["bullet"], a)
	}
	if r.Report != nil {
		fmt.Fprintf(bw, words["report"], r.Report.To, r.Report.Subject)
		for _, line := range strings.Split(strings.TrimRight(r.Report.Body, "\n"), "\n") {
			fmt.Fprintf(bw, "  %s\n", line)
		}
	}
	if len(r.Types) > 0 {
		labels := make([]string, len(r.Types))
		for i, id := range r.Types {
			labels[i] = id
			if t := k.Type(id); t != nil {
				labels[i] = t.Label.In(lang)
			}
		}
		fmt.Fprintf(bw, words["types"], strings.Join(labels, words["list"]))
		fmt.Fprintln(bw, words["triage"])
	}
	return bw.Flush()
}
