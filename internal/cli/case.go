package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/kakekomi/kakekomi/internal/casefile"
	"github.com/kakekomi/kakekomi/internal/letters"
	"github.com/kakekomi/kakekomi/internal/sheet"
	"github.com/kakekomi/kakekomi/internal/store"
	"github.com/kakekomi/kakekomi/internal/triage"
)

const caseUsage = `Usage of kakekomi case (CODE may be left out when KAKEKOMI_CASE_CODE is set):
  case new [--passphrase-stdin] [--answer ID=VALUE]... [TEXT]  open a case from a description
  case show CODE [--json]                    the case as a consultation sheet
  case add CODE --timeline 'TIME|what happened' --party 'name=..,url=..,account=..,phone=..,email=..,sns=..,address=..'
                --money 'YEN|TIME|method|account' --entered 'where|card,password,...'
                --progress 'TIME|desk|reference|result|next' --step ID (--undo) --request TEXT
  case evidence CODE [--note TEXT] FILE...   keep files (screenshots, PDFs, saved mails)
  case sheet CODE [--html | --pdf OUT.pdf [--font FILE.ttf]]
  case letter CODE demand|takedown|phishing|objection [--vertical] [--received DATE] ...
  case export CODE OUT.zip                   the whole case as a ZIP (not encrypted)
  case import IN.zip                         a new case from an export (prints a new code)
  case renew CODE                            keep the case for another --keep days
  case delete CODE                           delete the case and every file of it
Every case command takes --data DIR (default ./kakekomi-data), --db postgres://... and
--passphrase-stdin (the first line of standard input is the case's passphrase).
`

// caseFlags are the flags every case command shares.
type caseFlags struct {
	fs         *flag.FlagSet
	data       *string
	dsn        *string
	passStdin  *bool
	keepDays   *int
	positional []string
}

func newCaseFlags(name string, env Env) *caseFlags {
	fs := newFlags("case "+name, env)
	return &caseFlags{
		fs:        fs,
		data:      fs.String("data", "kakekomi-data", "keep cases in the folder `DIR`"),
		dsn:       fs.String("db", "", "keep cases in PostgreSQL at `DSN` (postgres://...) instead"),
		passStdin: fs.Bool("passphrase-stdin", false, "read the case's passphrase from the first line of standard input"),
		keepDays:  fs.Int("keep", int(casefile.DefaultTTL/(24*time.Hour)), "delete the case automatically after `DAYS` days unless renewed"),
	}
}

// parse parses flags and positional arguments in any order, as people
// type "case add CODE --timeline ...".
func (cf *caseFlags) parse(args []string, env Env) error {
	for {
		if err := parseFlags(cf.fs, args, env); err != nil {
			return err
		}
		args = cf.fs.Args()
		if len(args) == 0 {
			return nil
		}
		if args[0] == "--" {
			cf.positional = append(cf.positional, args[1:]...)
			return nil
		}
		cf.positional = append(cf.positional, args[0])
		args = args[1:]
	}
}

// code takes the case code from KAKEKOMI_CASE_CODE, or else from the
// first positional argument, so that it need not be in shell history.
func (cf *caseFlags) code(env Env) (string, error) {
	if c := env.Getenv("KAKEKOMI_CASE_CODE"); c != "" {
		return c, nil
	}
	if len(cf.positional) == 0 {
		return "", usagef("%s: ケース番号を指定してください（環境変数 KAKEKOMI_CASE_CODE でも指定できます）。", cf.fs.Name())
	}
	c := cf.positional[0]
	cf.positional = cf.positional[1:]
	return c, nil
}

func (cf *caseFlags) ttl() (time.Duration, error) {
	if *cf.keepDays < 1 || *cf.keepDays > 3650 {
		return 0, usagef("%s: --keep は 1 から 3650 までの日数にしてください。", cf.fs.Name())
	}
	return time.Duration(*cf.keepDays) * 24 * time.Hour, nil
}

// passphrase reads the passphrase line when --passphrase-stdin is given.
// It returns the reader for the rest of standard input.
func (cf *caseFlags) passphrase(env Env) (string, io.Reader, error) {
	if !*cf.passStdin {
		return "", env.Stdin, nil
	}
	br := bufio.NewReader(io.LimitReader(env.Stdin, 1<<20))
	line, err := br.ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", nil, fmt.Errorf("合言葉を読めませんでした: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", nil, usagef("%s: --passphrase-stdin のときは、標準入力の1行目に合言葉を書いてください（1行目が空です）。", cf.fs.Name())
	}
	return line, br, nil
}

// open opens the store and removes expired cases.
func (cf *caseFlags) open(ctx context.Context, env Env) (*store.Store, error) {
	dsn := *cf.dsn
	if dsn == "" {
		dsn = filepath.Join(*cf.data, store.DefaultFile)
	}
	s, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	s.Now = env.Now
	if _, err := s.Purge(ctx, env.Now()); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// unlock derives the case's keys from the code and passphrase.
func (cf *caseFlags) unlock(env Env) (casefile.Keys, io.Reader, error) {
	code, err := cf.code(env)
	if err != nil {
		return casefile.Keys{}, nil, err
	}
	pass, rest, err := cf.passphrase(env)
	if err != nil {
		return casefile.Keys{}, nil, err
	}
	k, err := casefile.DeriveKeys(code, pass)
	if err != nil {
		return casefile.Keys{}, nil, usagef("%s: %s", cf.fs.Name(), caseMessage(err))
	}
	return k, rest, nil
}

// caseMessage turns the errors a person can cause into plain Japanese.
func caseMessage(err error) string {
	switch {
	case errors.Is(err, casefile.ErrBadCode):
		return "番号の形がちがいます。保存したときに出た英字と数字の20文字（例 ABCDE-FGHJK-MNPQR-STVWX）を指定してください。"
	case errors.Is(err, casefile.ErrNotFound):
		return "この番号のケースは見つかりません。番号を確かめてください（期限が過ぎたケースは消えています）。"
	case errors.Is(err, casefile.ErrPassphrase):
		return "合言葉（パスフレーズ）がないか、違います。--passphrase-stdin で入力してください。"
	case errors.Is(err, casefile.ErrEmptyFile):
		return "ファイルが空です。別のファイルを指定してください。"
	case errors.Is(err, casefile.ErrFileType):
		return "この種類のファイルは保存できません。画面の写真（スクリーンショット）、PDF、文字だけのファイル、動画（mp4）、音声（mp3・wav）を指定してください。"
	case errors.Is(err, casefile.ErrTooLarge):
		return fmt.Sprintf("大きすぎます。証拠のファイルは1つ %d MB まで、ケース全体で %d MB までです。", casefile.MaxEvidenceBytes>>20, casefile.MaxCaseBytes>>20)
	case errors.Is(err, casefile.ErrInvalid):
		return fmt.Sprintf("保存できない内容です。1つの欄は %d 文字まで、一覧はそれぞれ %d 件までです。手順の ID は case show で確かめてください。", casefile.MaxFieldRunes, casefile.MaxEntries)
	}
	return err.Error()
}

// importError reports an export that case import refused, in words. The
// error's detail is not shown: it can name the case's evidence files.
func importError(err error) error {
	switch {
	case errors.Is(err, casefile.ErrTooLarge):
		return usagef("case import: ファイルが大きすぎるか、開くと大きくなりすぎるため、読み込めません。読み込めるのは、証拠のファイルが合わせて%dMBまでの相談メモです。", casefile.MaxCaseBytes>>20)
	case errors.Is(err, casefile.ErrInvalid):
		return usagef("case import: このファイルは読み込めません。kakekomi で書き出したZIPファイルを、そのまま指定してください。")
	}
	return caseError("import", err)
}

// caseError reports err, as a usage error when the person can fix it.
func caseError(cmd string, err error) error {
	if errors.Is(err, casefile.ErrNotFound) || errors.Is(err, casefile.ErrBadCode) || errors.Is(err, casefile.ErrPassphrase) || errors.Is(err, casefile.ErrInvalid) || errors.Is(err, casefile.ErrTooLarge) {
		return usagef("case %s: %s", cmd, caseMessage(err))
	}
	return fmt.Errorf("case %s: %w", cmd, err)
}

func runCase(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(env.Stdout, caseUsage)
		if len(args) == 0 {
			return usagef("case: サブコマンドを指定してください。")
		}
		return nil
	}
	cmd, rest := args[0], args[1:]
	cmds := map[string]func(context.Context, *caseFlags, []string, Env) error{
		"new": caseNew, "show": caseShow, "add": caseAdd, "evidence": caseEvidence,
		"sheet": caseSheet, "letter": caseLetter, "export": caseExport, "import": caseImport,
		"renew": caseRenew, "delete": caseDelete,
	}
	fn, ok := cmds[cmd]
	if !ok {
		return usagef("case: 知らないサブコマンドです。kakekomi case help で一覧を見てください。")
	}
	return fn(ctx, newCaseFlags(cmd, env), rest, env)
}

// sheetOf builds the consultation sheet of c at now, with the desks of
// its troubles and their numbers.
func sheetOf(c *casefile.Case, now time.Time) (*sheet.Sheet, error) {
	k, err := loadKB()
	if err != nil {
		return nil, err
	}
	sh := sheet.New(c, now, func(id string) string {
		if d := k.Desk(id); d != nil {
			return d.Name.JA
		}
		return ""
	})
	ds, err := triage.New(k).CaseDesks(c.TypeIDs(), c.Answers, now, "ja")
	if err != nil {
		return nil, err
	}
	sh.AddDesks(sheet.DesksOf(ds))
	return sh, nil
}

// printNewCode shows a new case's code, once, with the warning to keep it.
func printNewCode(w io.Writer, code string, expires time.Time) {
	fmt.Fprintf(w, "ケース番号: %s\n\n", code)
	fmt.Fprintf(w, "！ この番号は、今この一度しか表示しません。\n")
	fmt.Fprintf(w, "  紙に書き写すか、安全な所に保存してください。\n")
	fmt.Fprintf(w, "  番号がないと、記録を見ることも消すこともできません（運営している人にも開けません）。\n")
	fmt.Fprintf(w, "  ほかの人には教えないでください。\n")
	fmt.Fprintf(w, "保存期限: %s（この日を過ぎると自動で消えます。case renew で延ばせます）\n", sheet.Date(expires))
}

func caseNew(ctx context.Context, cf *caseFlags, args []string, env Env) error {
	at := cf.fs.String("at", "", "the time of the description (default now)")
	var answers answerFlag
	cf.fs.Var(&answers, "answer", "an answer to a triage question, `ID=VALUE` (repeatable)")
	if err := cf.parse(args, env); err != nil {
		return err
	}
	ttl, err := cf.ttl()
	if err != nil {
		return err
	}
	when, err := ParseTime(*at, env.Now)
	if err != nil {
		return timeProblem("case new", "--at")
	}
	pass, rest, err := cf.passphrase(env)
	if err != nil {
		return err
	}
	var text string
	switch {
	case len(cf.positional) > 1:
		return usagef("case new: 相談の内容は、引用符で囲んで1つの引数にするか、標準入力から渡してください。")
	case len(cf.positional) == 1 && cf.positional[0] != "-":
		text = cf.positional[0]
	default:
		if text, err = readAll(rest, 4*triage.MaxTextRunes+4); err != nil {
			return err
		}
	}
	e, err := newEngine(env)
	if err != nil {
		return err
	}
	r, err := e.Triage(triage.Input{Text: text, At: when, Context: triage.Context{Answers: answers}})
	if err != nil {
		return usagef("case new: %s", triageMessage(err))
	}
	c, err := casefile.Open(text, r, answers, env.Now())
	if err != nil {
		return caseError("new", err)
	}
	code, expires, err := cf.create(ctx, env, casefile.Bundle{Case: c}, pass, ttl, func(err error) error { return caseError("new", err) })
	if err != nil {
		return err
	}
	if r.Emergency.Active {
		fmt.Fprintf(env.Stdout, "！ 命や体に危険があるときは、すぐ110番（警察）か119番に電話してください。\n\n")
	}
	fmt.Fprintf(env.Stdout, "相談の記録（ケース）を作りました。\n")
	if len(c.Types) > 0 {
		fmt.Fprintf(env.Stdout, "トラブルの種類: %s\n", c.Types[0].Label)
	}
	printNewCode(env.Stdout, code, expires)
	return nil
}

// answerFlag collects repeated --answer ID=VALUE flags.
type answerFlag map[string]string

func (a *answerFlag) String() string { return "" }

func (a *answerFlag) Set(v string) error {
	id, val, ok := strings.Cut(v, "=")
	if !ok || id == "" || val == "" {
		return errors.New("ID=値 の形で書いてください（例 payment_method=card）")
	}
	if *a == nil {
		*a = answerFlag{}
	}
	(*a)[id] = val
	return nil
}

// listFlag collects a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ", ") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func (cf *caseFlags) noMoreArgs() error {
	if len(cf.positional) > 0 {
		return usagef("%s: 余分な引数があります（%d 個）。文章に空白があるときは引用符で囲んでください。", cf.fs.Name(), len(cf.positional))
	}
	return nil
}

func caseShow(ctx context.Context, cf *caseFlags, args []string, env Env) error {
	asJSON := cf.fs.Bool("json", false, "print the case as JSON")
	if err := cf.parse(args, env); err != nil {
		return err
	}
	return cf.withCase(ctx, env, func(s *store.Store, k casefile.Keys) error {
		if err := cf.noMoreArgs(); err != nil {
			return err
		}
		return showCase(ctx, s, k, *asJSON, env)
	})
}

func showCase(ctx context.Context, s *store.Store, k casefile.Keys, asJSON bool, env Env) error {
	c, err := s.Load(ctx, k)
	if err != nil {
		return caseError("show", err)
	}
	if asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(c)
	}
	sh, err := sheetOf(c, env.Now())
	if err != nil {
		return err
	}
	io.WriteString(env.Stdout, sh.Text(80))
	if len(c.Steps) > 0 {
		fmt.Fprintf(env.Stdout, "\n■ やることのチェック（case add --step ID で済にします）\n")
		for _, st := range c.Steps {
			mark := "[ ]"
			if !st.Done.IsZero() {
				mark = "[x]"
			}
			fmt.Fprintf(env.Stdout, "  %s %s（%s）\n", mark, st.Text, st.ID)
		}
	}
	if exp, err := s.Expires(ctx, k); err == nil {
		fmt.Fprintf(env.Stdout, "\n保存期限: %s\n", sheet.Date(exp))
	}
	return nil
}

// fields splits a 'a|b|c' flag value into exactly n trimmed parts (missing
// trailing parts are empty).
func fields(v string, n int) ([]string, error) {
	parts := strings.Split(v, "|")
	if len(parts) > n {
		return nil, fmt.Errorf("| で区切った部分が %d つより多くあります", n)
	}
	for len(parts) < n {
		parts = append(parts, "")
	}
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts, nil
}

func parseParty(v string) (casefile.Party, error) {
	var p casefile.Party
	for _, kv := range strings.Split(v, ",") {
		key, val, ok := strings.Cut(kv, "=")
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		if !ok || val == "" {
			return p, errors.New("--party: 項目名=値 をカンマで区切って書いてください（値が空の項目があります）")
		}
		switch key {
		case "name":
			p.Name = val
		case "url":
			p.URL = val
		case "account":
			p.Account = val
		case "phone":
			p.Phone = val
		case "email":
			p.Email = val
		case "address":
			p.Address = val
		case "sns":
			p.SNS = append(p.SNS, val)
		default:
			return p, errors.New("--party: 知らない項目名があります。name、url、account、phone、email、address、sns のどれかにしてください")
		}
	}
	return p, nil
}

func caseAdd(ctx context.Context, cf *caseFlags, args []string, env Env) error {
	var timeline, parties, money, entered, progress, steps listFlag
	cf.fs.Var(&timeline, "timeline", "a timeline entry `TIME|what happened` (repeatable)")
	cf.fs.Var(&parties, "party", "the other side, `name=..,url=..,account=..,phone=..,email=..,sns=..,address=..` (repeatable)")
	cf.fs.Var(&money, "money", "a payment `YEN|TIME|method|account` (repeatable)")
	cf.fs.Var(&entered, "entered", "what you typed where, `where|kinds` with kinds from card,cvc,password,pin,pin2,otp,id,address,phone,mynumber,bank")
	cf.fs.Var(&progress, "progress", "a desk contacted, `TIME|desk|reference|result|next` (repeatable)")
	cf.fs.Var(&steps, "step", "mark the plan step `ID` done (repeatable)")
	undo := cf.fs.Bool("undo", false, "with --step: mark the steps not done")
	request := cf.fs.String("request", "", "what you ask the desk for")
	if err := cf.parse(args, env); err != nil {
		return err
	}
	k, _, err := cf.unlock(env)
	if err != nil {
		return err
	}
	if err := cf.noMoreArgs(); err != nil {
		return err
	}
	var change []func(*casefile.Case) error
	for _, v := range timeline {
		f, err := fields(v, 2)
		if err != nil {
			return usagef("case add --timeline: %v。", err)
		}
		at, err := ParseTime(f[0], env.Now)
		if err != nil || f[1] == "" {
			return usagef("case add --timeline: '日時|起きたこと' の形で書いてください（例 '2026-11-20 14:00|サイトで注文した'）。")
		}
		change = append(change, func(c *casefile.Case) error {
			c.Timeline = append(c.Timeline, casefile.Event{At: at, What: f[1]})
			c.SortTimeline()
			return nil
		})
	}
	for _, v := range parties {
		p, err := parseParty(v)
		if err != nil {
			return usagef("case add %v。", err)
		}
		change = append(change, func(c *casefile.Case) error { c.Parties = append(c.Parties, p); return nil })
	}
	for _, v := range money {
		f, err := fields(v, 4)
		if err != nil {
			return usagef("case add --money: %v。", err)
		}
		yen, err := strconv.ParseInt(strings.NewReplacer(",", "", "円", "", "¥", "").Replace(f[0]), 10, 64)
		if err != nil || yen <= 0 {
			return usagef("case add --money: 金額を円の数字で書いてください（例 '50000|2026-11-20|銀行振込|口座'）。")
		}
		at, err := ParseTime(f[1], env.Now)
		if err != nil {
			return timeProblem("case add", "--money")
		}
		pay := casefile.Payment{AmountJPY: yen, At: at, Method: f[2], Account: f[3]}
		change = append(change, func(c *casefile.Case) error { c.Payments = append(c.Payments, pay); return nil })
	}
	for _, v := range entered {
		f, err := fields(v, 2)
		if err != nil || f[0] == "" || f[1] == "" {
			return usagef("case add --entered: '入力した場所|種類' の形で書いてください（例 'にせのサイト|card,password'）。")
		}
		e := casefile.Entered{Where: f[0], What: strings.Split(f[1], ","), At: env.Now()}
		change = append(change, func(c *casefile.Case) error { c.Entered = append(c.Entered, e); return nil })
	}
	for _, v := range progress {
		f, err := fields(v, 5)
		if err != nil {
			return usagef("case add --progress: %v。", err)
		}
		at, err := ParseTime(f[0], env.Now)
		if err != nil || f[1] == "" {
			return usagef("case add --progress: '日時|窓口|受付番号|結果|次にすること' の形で書いてください。")
		}
		p := casefile.Progress{At: at, Desk: f[1], Reference: f[2], Result: f[3], Next: f[4]}
		change = append(change, func(c *casefile.Case) error { c.Progress = append(c.Progress, p); return nil })
	}
	for _, id := range steps {
		change = append(change, func(c *casefile.Case) error { return c.MarkStep(id, !*undo, env.Now()) })
	}
	if *request != "" {
		change = append(change, func(c *casefile.Case) error { c.Request = *request; return nil })
	}
	if len(change) == 0 {
		return usagef("case add: 加えるものがありません。kakekomi case help で書き方を見てください。")
	}
	s, err := cf.open(ctx, env)
	if err != nil {
		return err
	}
	defer s.Close()
	err = s.Update(ctx, k, func(c *casefile.Case) error {
		for _, fn := range change {
			if err := fn(c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return caseError("add", err)
	}
	fmt.Fprintf(env.Stdout, "保存しました（%d件）。\n", len(change))
	return nil
}

func caseEvidence(ctx context.Context, cf *caseFlags, args []string, env Env) error {
	note := cf.fs.String("note", "", "a note kept with the files")
	if err := cf.parse(args, env); err != nil {
		return err
	}
	k, _, err := cf.unlock(env)
	if err != nil {
		return err
	}
	if len(cf.positional) == 0 {
		return usagef("case evidence: 保存するファイルを指定してください。")
	}
	s, err := cf.open(ctx, env)
	if err != nil {
		return err
	}
	defer s.Close()
	for i, name := range cf.positional {
		what := "case evidence: "
		if len(cf.positional) > 1 {
			what = fmt.Sprintf("case evidence: %d 番目の", i+1)
		}
		data, err := readFileLimit(what, name, casefile.MaxEvidenceBytes)
		if err != nil {
			return err
		}
		e, err := s.AddEvidence(ctx, k, name, data, *note)
		if err != nil {
			return caseError("evidence", err)
		}
		fmt.Fprintf(env.Stdout, "保存しました: %s（%s）SHA-256 %s\n", e.Name, sheet.Bytes(e.Size), e.SHA256)
		if e.Runnable() {
			fmt.Fprintf(env.Stdout, "！ プログラムとして動くファイルなので、開いても動かない名前にして保存しました（中身はそのままです）。このファイルは開かないでください。\n")
		}
	}
	return nil
}

// readFileLimit reads the file name of at most limit bytes that a person
// gave, with errors as openInput's.
func readFileLimit(what, name string, limit int64) ([]byte, error) {
	f, err := openInput(what, name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%sファイルを読めませんでした: %w", what, withoutPath(err))
	}
	if int64(len(b)) > limit {
		return nil, usagef("%sファイルが大きすぎます（%d MB まで）。", what, limit>>20)
	}
	return b, nil
}

// writeFileAtomic writes a file called name with write, through a
// temporary file and a rename, so that neither a crash nor a failure
// half-way ever leaves part of a file under the name.
func writeFileAtomic(name string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), ".kakekomi-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	bw := bufio.NewWriterSize(tmp, 64<<10)
	if err := write(bw); err != nil {
		tmp.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}

// create saves b as a new case under a fresh code, kept for ttl, and
// returns the code and when the case expires. explain words the store's
// refusal for the command.
func (cf *caseFlags) create(ctx context.Context, env Env, b casefile.Bundle, pass string, ttl time.Duration, explain func(error) error) (string, time.Time, error) {
	code := casefile.NewCode()
	k, err := casefile.DeriveKeys(code, pass)
	if err != nil {
		return "", time.Time{}, err
	}
	s, err := cf.open(ctx, env)
	if err != nil {
		return "", time.Time{}, err
	}
	defer s.Close()
	expires := env.Now().Add(ttl)
	if err := s.Create(ctx, k, b, expires); err != nil {
		return "", time.Time{}, explain(err)
	}
	return code, expires, nil
}

// withCase unlocks the case named by the code, opens the store and runs fn
// on both, closing the store after.
func (cf *caseFlags) withCase(ctx context.Context, env Env, fn func(s *store.Store, k casefile.Keys) error) error {
	k, _, err := cf.unlock(env)
	if err != nil {
		return err
	}
	s, err := cf.open(ctx, env)
	if err != nil {
		return err
	}
	defer s.Close()
	return fn(s, k)
}

func (cf *caseFlags) load(ctx context.Context, cmd string, env Env) (*casefile.Case, error) {
	var c *casefile.Case
	err := cf.withCase(ctx, env, func(s *store.Store, k casefile.Keys) error {
		var err error
		if c, err = s.Load(ctx, k); err != nil {
			return caseError(cmd, err)
		}
		return nil
	})
	return c, err
}

func caseSheet(ctx context.Context, cf *caseFlags, args []string, env Env) error {
	asHTML := cf.fs.Bool("html", false, "print the sheet as an HTML page for printing")
	pdfOut := cf.fs.String("pdf", "", "write the sheet as a PDF to `FILE`")
	font := cf.fs.String("font", "", "the Japanese TrueType `FILE.ttf` for the PDF (default: IPAex Gothic)")
	if err := cf.parse(args, env); err != nil {
		return err
	}
	c, err := cf.load(ctx, "sheet", env)
	if err != nil {
		return err
	}
	if err := cf.noMoreArgs(); err != nil {
		return err
	}
	sh, err := sheetOf(c, env.Now())
	if err != nil {
		return err
	}
	switch {
	case *pdfOut != "":
		ttf, err := sheet.FindFont(*font)
		if err != nil {
			return usagef("case sheet: PDF に使う日本語のフォント（.ttf）を読めません。--font でファイルを指定するか、fonts-ipaexfont を入れてください。")
		}
		pdf, err := sh.PDF(ttf)
		if err != nil {
			return err
		}
		err = writeFileAtomic(*pdfOut, func(w io.Writer) error {
			_, err := w.Write(pdf)
			return err
		})
		if err != nil {
			return fmt.Errorf("case sheet: PDF を書き出せませんでした: %w", withoutPath(err))
		}
		fmt.Fprintf(env.Stdout, "相談シートを %s に保存しました。印刷して窓口に持って行けます。\n", *pdfOut)
	case *asHTML:
		h, err := sh.HTML()
		if err != nil {
			return err
		}
		env.Stdout.Write(h)
	default:
		io.WriteString(env.Stdout, sh.Text(80))
	}
	return nil
}

func caseLetter(ctx context.Context, cf *caseFlags, args []string, env Env) error {
	var o letters.Options
	cf.fs.BoolVar(&o.Vertical, "vertical", false, "demand: lay the letter out for vertical writing (20 characters x 26 lines)")
	deadline := cf.fs.String("deadline", "", "demand: the `DATE` to ship or refund by (default two weeks from today)")
	received := cf.fs.String("received", "", "objection: the `DATE` the 支払督促 was received")
	cf.fs.StringVar(&o.Goods, "goods", "", "demand: what was bought")
	cf.fs.StringVar(&o.SenderName, "from-name", "", "your name")
	cf.fs.StringVar(&o.SenderAddress, "from-address", "", "your address")
	cf.fs.StringVar(&o.SenderContact, "from-contact", "", "takedown: your phone or e-mail")
	cf.fs.StringVar(&o.RecipientName, "to-name", "", "the addressee (default: the case's first party)")
	cf.fs.StringVar(&o.RecipientAddress, "to-address", "", "the addressee's address")
	cf.fs.StringVar(&o.URL, "url", "", "takedown: the address of the post")
	cf.fs.StringVar(&o.Content, "content", "", "takedown: what the post says; phishing: the message's subject")
	cf.fs.StringVar(&o.Right, "right", "", "takedown: the right infringed (名誉権, プライバシー権 ...)")
	cf.fs.StringVar(&o.Reason, "reason", "", "takedown: why it infringes, and the harm")
	if err := cf.parse(args, env); err != nil {
		return err
	}
	c, err := cf.load(ctx, "letter", env)
	if err != nil {
		return err
	}
	if len(cf.positional) != 1 {
		return usagef("case letter: 書面の種類を1つ指定してください（demand、takedown、phishing、objection）。")
	}
	o.Date = env.Now()
	if *deadline != "" {
		if o.Deadline, err = ParseTime(*deadline, env.Now); err != nil {
			return timeProblem("case letter", "--deadline")
		}
	}
	kind := cf.positional[0]
	l, ok := letters.ForCase(kind, c, o)
	switch {
	case ok:
	case kind == "objection":
		if *received == "" {
			return usagef("case letter objection: 支払督促を受け取った日を --received 日付 で指定してください。")
		}
		day, err := ParseTime(*received, env.Now)
		if err != nil {
			return timeProblem("case letter", "--received")
		}
		k, err := loadKB()
		if err != nil {
			return err
		}
		l = letters.PaymentOrder(day, func(t time.Time) bool { _, ok := k.IsHoliday(t); return ok })
	default:
		return usagef("case letter: 知らない種類です。demand、takedown、phishing、objection のどれかにしてください。")
	}
	io.WriteString(env.Stdout, l.Text())
	return nil
}

func caseExport(ctx context.Context, cf *caseFlags, args []string, env Env) error {
	if err := cf.parse(args, env); err != nil {
		return err
	}
	k, _, err := cf.unlock(env)
	if err != nil {
		return err
	}
	if len(cf.positional) != 1 {
		return usagef("case export: 書き出すファイルの名前を1つ指定してください（例 case.zip）。")
	}
	out := cf.positional[0]
	s, err := cf.open(ctx, env)
	if err != nil {
		return err
	}
	defer s.Close()
	b, err := s.Bundle(ctx, k)
	if err != nil {
		return caseError("export", err)
	}
	// Written entry by entry, a part of an evidence file at a time.
	err = writeFileAtomic(out, func(w io.Writer) error { return casefile.WriteBundle(w, b, env.Now()) })
	if err != nil {
		// The error can name an evidence file; the path is the person's own.
		return fmt.Errorf("case export: 書き出せませんでした。書き込める場所と空き容量を確かめてください: %w", withoutPath(err))
	}
	fmt.Fprintf(env.Stdout, "%s に書き出しました。\n！ このファイルは暗号化されていません。人に見られない所に置き、要らなくなったら消してください。\n", out)
	return nil
}

func caseImport(ctx context.Context, cf *caseFlags, args []string, env Env) error {
	if err := cf.parse(args, env); err != nil {
		return err
	}
	if len(cf.positional) != 1 {
		return usagef("case import: 書き出したZIPファイルを1つ指定してください。")
	}
	ttl, err := cf.ttl()
	if err != nil {
		return err
	}
	pass, _, err := cf.passphrase(env)
	if err != nil {
		return err
	}
	f, err := openInput("case import: ", cf.positional[0])
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("case import: ファイルを調べられませんでした: %w", withoutPath(err))
	}
	if fi.Size() > casefile.MaxExportBytes {
		return importError(fmt.Errorf("%w: %d bytes", casefile.ErrTooLarge, fi.Size()))
	}
	// Read as a stream: case.json now, each evidence file as the store
	// takes it, a part at a time.
	b, err := casefile.ReadBundle(f)
	if err != nil {
		return importError(err)
	}
	code, expires, err := cf.create(ctx, env, b, pass, ttl, importError)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "読み込みました（証拠 %d件）。新しいケース番号を作りました。\n", len(b.Case.Evidence))
	printNewCode(env.Stdout, code, expires)
	return nil
}

func caseRenew(ctx context.Context, cf *caseFlags, args []string, env Env) error {
	if err := cf.parse(args, env); err != nil {
		return err
	}
	ttl, err := cf.ttl()
	if err != nil {
		return err
	}
	return cf.withCase(ctx, env, func(s *store.Store, k casefile.Keys) error {
		if err := cf.noMoreArgs(); err != nil {
			return err
		}
		expires := env.Now().Add(ttl)
		if err := s.Renew(ctx, k, expires); err != nil {
			return caseError("renew", err)
		}
		fmt.Fprintf(env.Stdout, "保存期限を %s まで延ばしました。\n", sheet.Date(expires))
		return nil
	})
}

func caseDelete(ctx context.Context, cf *caseFlags, args []string, env Env) error {
	if err := cf.parse(args, env); err != nil {
		return err
	}
	return cf.withCase(ctx, env, func(s *store.Store, k casefile.Keys) error {
		if err := cf.noMoreArgs(); err != nil {
			return err
		}
		if err := s.Delete(ctx, k); err != nil {
			return caseError("delete", err)
		}
		fmt.Fprintf(env.Stdout, "ケースと、保存したファイルをすべて消しました。\n")
		return nil
	})
}
