package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/kakekomi/kakekomi/internal/corpus"
	"github.com/kakekomi/kakekomi/internal/kb"
	"github.com/kakekomi/kakekomi/internal/mailcheck"
	"github.com/kakekomi/kakekomi/internal/triage"
)

// Where the repository keeps the knowledge base sources and the corpus;
// kb train and kb eval run from the repository's top folder.
const (
	kbSourceDir    = "internal/kb/data"
	triageCorpus   = "corpus/triage"
	messageCorpus  = "corpus/messages"
	sealedCorpus   = "corpus/sealed"
	sealedPattern  = "triage-*.jsonl"
	sealedMessages = "messages-*.jsonl"
)

// evalAt is the moment evaluations triage at: a weekday morning, so that
// figures do not depend on when they are measured.
var evalAt = time.Date(2026, 11, 24, 10, 30, 0, 0, time.FixedZone("JST", 9*3600))

func runKB(args []string, env Env) error {
	if len(args) == 0 {
		return usagef("kb: サブコマンド（check、snapshot、train、eval のどれか）を指定してください。")
	}
	switch args[0] {
	case "check":
		return runKBCheck(args[1:], env)
	case "snapshot":
		return runKBSnapshot(args[1:], env)
	case "train":
		return runKBTrain(args[1:], env)
	case "eval":
		return runKBEval(args[1:], env)
	}
	return usagef("kb: 知らないサブコマンドです。check、snapshot、train、eval のどれかにしてください。")
}

func runKBCheck(args []string, env Env) error {
	fs := newFlags("kb check", env)
	dir := fs.String("dir", "", "check the knowledge base files in `DIR` instead of the built-in ones")
	if err := parseFlags(fs, args, env); err != nil {
		return err
	}
	fsys := kb.Embedded()
	where := "built-in knowledge base"
	if *dir != "" {
		fsys, where = os.DirFS(*dir), *dir
	}
	k, err := kb.Load(fsys)
	if err != nil {
		return reportProblems(err, where, env)
	}
	current, err := kb.SnapshotMatches(fsys)
	if err != nil {
		return reportProblems(err, where, env)
	}
	if !current {
		fmt.Fprintf(env.Stdout, "%s: YAML ファイルの今の内容から作られていません。%s で作り直してください。\n", kb.SnapshotFile, snapshotCommand(*dir))
		return fmt.Errorf("%s: 問題が 1 件見つかりました", where)
	}
	fmt.Fprintf(env.Stdout, "ok: %s version %s: %d trouble types, %d desks, %d questions, %d steps, %d brands, %d checker phrase groups, holidays %d-%d\n",
		where, k.Version, len(k.Types), len(k.Desks), len(k.Questions), len(k.Steps), len(k.Brands), len(k.MessagePhrases), k.HolidayYears[0], k.HolidayYears[1])
	return nil
}

// reportProblems prints each problem of a Problems error on its own line
// and returns the error that ends the command.
func reportProblems(err error, where string, env Env) error {
	var problems kb.Problems
	if !errors.As(err, &problems) {
		return err
	}
	for _, p := range problems {
		fmt.Fprintln(env.Stdout, p)
	}
	return fmt.Errorf("%s: 問題が %d 件見つかりました", where, len(problems))
}

// snapshotCommand is the command that rebuilds the snapshot of dir ("" for
// the built-in knowledge base, whose sources are in kbSourceDir).
func snapshotCommand(dir string) string {
	cmd := "go run ./cmd/kakekomi kb snapshot"
	if dir != "" && filepath.Clean(dir) != kbSourceDir {
		cmd += " --dir " + dir
	}
	return cmd
}

// runKBSnapshot writes the snapshot of the YAML files in a folder, which
// the binary reads at start instead of decoding them.
func runKBSnapshot(args []string, env Env) error {
	fs := newFlags("kb snapshot", env)
	dir := fs.String("dir", kbSourceDir, "read the YAML files of `DIR` and write "+kb.SnapshotFile+" there")
	if err := parseFlags(fs, args, env); err != nil {
		return err
	}
	data, err := kb.Snapshot(os.DirFS(*dir))
	if err != nil {
		return reportProblems(err, *dir, env)
	}
	name := filepath.Join(*dir, kb.SnapshotFile)
	if err := os.WriteFile(name, data, 0o644); err != nil {
		return fmt.Errorf("スナップショットを書き出せませんでした: %w", err)
	}
	fmt.Fprintf(env.Stdout, "%s を書き出しました（%d バイト）。\n", name, len(data))
	return nil
}

// readCorpus reads the labelled cases of dir and refuses labels that the
// knowledge base k does not know.
func readCorpus(k *kb.KB, dir string) ([]corpus.Set[corpus.Case], error) {
	sets, err := corpus.ReadDir[corpus.Case](dir)
	if err != nil {
		return nil, usagef("%v（ラベル付きの相談文のフォルダーを --corpus で指定してください）", err)
	}
	for _, s := range sets {
		for _, c := range s.Items {
			for _, id := range append([]string{c.Primary}, c.Also...) {
				if id != corpus.None && k.Type(id) == nil {
					return nil, usagef("%s: 例 %s: %q は知識ベースのトラブルの種類にありません。", s.Name, c.ID, id)
				}
			}
			if c.Text == "" {
				return nil, usagef("%s: 例 %s に文章がありません。", s.Name, c.ID)
			}
		}
	}
	return sets, nil
}

// readMessages reads the labelled messages of dir and refuses a label the
// labelling guide does not name.
func readMessages(dir string) ([]corpus.Set[corpus.Message], error) {
	sets, err := corpus.ReadDir[corpus.Message](dir)
	if err != nil {
		return nil, usagef("%v（ラベル付きのメッセージのフォルダーを --messages で指定してください）", err)
	}
	for _, s := range sets {
		for _, m := range s.Items {
			if !slices.Contains(corpus.MessageLabels, m.Label) {
				return nil, usagef("%s: メッセージ %s: ラベル %q は %s のどれでもありません。", s.Name, m.ID, m.Label, strings.Join(corpus.MessageLabels, "、"))
			}
		}
	}
	return sets, nil
}

// sourceKB loads the knowledge base sources in dir for training: the models
// may be missing or stale there, which is what training mends.
func sourceKB(dir string) (*kb.KB, error) {
	k, err := kb.Load(os.DirFS(dir))
	var problems kb.Problems
	if errors.As(err, &problems) {
		for _, p := range problems {
			if filepath.Dir(p.File) != "models" {
				return nil, fmt.Errorf("%s を読み込めません: %v（kakekomi kb check --dir %s で確かめてください）", dir, p, dir)
			}
		}
	} else if err != nil {
		return nil, fmt.Errorf("%s を読み込めません: %w", dir, err)
	}
	return k, nil
}

func runKBTrain(args []string, env Env) error {
	fs := newFlags("kb train", env)
	corpusDir := fs.String("corpus", triageCorpus, "read the labelled descriptions from `DIR`")
	messagesDir := fs.String("messages", messageCorpus, "read the labelled messages from `DIR`")
	dir := fs.String("dir", kbSourceDir, "the knowledge base sources; the models are written to `DIR`/models")
	if err := parseFlags(fs, args, env); err != nil {
		return err
	}
	k, err := sourceKB(*dir)
	if err != nil {
		return err
	}
	sets, err := readCorpus(k, *corpusDir)
	if err != nil {
		return err
	}
	cases := corpus.All(sets)
	fmt.Fprintf(env.Stderr, "training on %d descriptions from %d files…\n", len(cases), len(sets))
	ms, err := triage.Train(k, cases)
	if err != nil {
		return err
	}
	msgSets, err := readMessages(*messagesDir)
	if err != nil {
		return err
	}
	msgs := corpus.All(msgSets)
	fmt.Fprintf(env.Stderr, "training on %d messages from %d files…\n", len(msgs), len(msgSets))
	content, err := mailcheck.Train(k, msgs)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(*dir, "models"), 0o755); err != nil {
		return fmt.Errorf("モデルを書き出せませんでした: %w", err)
	}
	for name, m := range map[string]interface{ MarshalBinary() ([]byte, error) }{"types.bin": ms.Types, "emergency.bin": ms.Emergency, "messages.bin": content} {
		b, err := m.MarshalBinary()
		if err == nil {
			err = os.WriteFile(filepath.Join(*dir, "models", name), b, 0o644)
		}
		if err != nil {
			return fmt.Errorf("モデル %s を書き出せませんでした: %w", name, err)
		}
	}
	fmt.Fprintf(env.Stdout, "trained on %d descriptions: %d types; emergency threshold %.2f, veto %.2f (held-out folds: recall %.3f, false alarms %.3f)\n",
		len(cases), len(ms.Types.Labels)-1, ms.Emergency.Params["threshold"], ms.Emergency.Params["veto"], ms.EmergencyRecall, ms.EmergencyFalseAlarms)
	fmt.Fprintf(env.Stdout, "trained on %d messages\n", len(msgs))
	fmt.Fprintf(env.Stdout, "wrote %s; run 'kakekomi kb eval' to measure, and bump version in kb.yaml\n", filepath.Join(*dir, "models"))
	return nil
}

func runKBEval(args []string, env Env) error {
	fs := newFlags("kb eval", env)
	corpusDir := fs.String("corpus", triageCorpus, "cross-validate on the labelled descriptions of `DIR` (empty: skip)")
	messagesDir := fs.String("messages", messageCorpus, "cross-validate the message model on the labelled messages of `DIR` (empty: skip)")
	sealedDir := fs.String("sealed", sealedCorpus, "measure the built-in models on the sealed sets of `DIR` (empty: skip)")
	folds := fs.Int("folds", 5, "the number of folds of the cross-validation")
	misses := fs.Bool("misses", false, "list every case that was missed")
	if err := parseFlags(fs, args, env); err != nil {
		return err
	}
	if *folds < 2 {
		return usagef("kb eval: --folds は 2 以上にしてください。")
	}
	k, err := loadKB()
	if err != nil {
		return err
	}
	report := func(name string, m triage.Metrics) {
		fmt.Fprintf(env.Stdout, "%s: %s\n", name, m.Summary())
		for _, c := range m.Confused(8) {
			fmt.Fprintf(env.Stdout, "    %s\n", c)
		}
		if *misses {
			for _, miss := range m.Misses {
				printMiss(env, miss)
			}
		}
	}
	if *corpusDir != "" {
		sets, err := readCorpus(k, *corpusDir)
		if err != nil {
			return err
		}
		cases := corpus.All(sets)
		m, err := triage.CrossValidate(k, cases, *folds, evalAt, func(done, of int) {
			fmt.Fprintf(env.Stderr, "cross-validation: fold %d of %d done\n", done, of)
		})
		if err != nil {
			return err
		}
		report(fmt.Sprintf("cross-validation (%d folds) on %s", *folds, *corpusDir), m)
	}
	if *messagesDir != "" {
		sets, err := readMessages(*messagesDir)
		if err != nil {
			return err
		}
		m, err := mailcheck.CrossValidate(k, corpus.All(sets), *folds)
		if err != nil {
			return err
		}
		reportMessages(env, fmt.Sprintf("cross-validation (%d folds) on %s", *folds, *messagesDir), m, *misses)
	}
	if *sealedDir != "" {
		names, _ := filepath.Glob(filepath.Join(*sealedDir, sealedPattern))
		if len(names) == 0 {
			return usagef("kb eval: %s に封印セット（%s）がありません。", *sealedDir, sealedPattern)
		}
		e := triage.New(k)
		for _, name := range names {
			s, err := corpus.ReadFile[corpus.Case](name)
			if err != nil {
				return err
			}
			m, err := triage.Evaluate(e, s.Items, evalAt)
			if err != nil {
				return err
			}
			report("sealed "+s.Name, m)
		}
		names, _ = filepath.Glob(filepath.Join(*sealedDir, sealedMessages))
		c := mailcheck.New(k)
		for _, name := range names {
			s, err := corpus.ReadFile[corpus.Message](name)
			if err != nil {
				return err
			}
			m, err := mailcheck.Evaluate(c, k, s.Items)
			if err != nil {
				return err
			}
			reportMessages(env, "sealed "+s.Name, m, *misses)
		}
	}
	return nil
}

func reportMessages(env Env, name string, m mailcheck.Metrics, misses bool) {
	fmt.Fprintf(env.Stdout, "%s: %s\n", name, m.Summary())
	if misses {
		for _, miss := range m.Misses {
			fmt.Fprintf(env.Stdout, "  %s\n", miss)
		}
	}
}

func printMiss(env Env, m triage.Miss) {
	var got []string
	for _, t := range m.Got {
		got = append(got, fmt.Sprintf("%s(%.2f)", t.ID, t.Score))
	}
	text := []rune(m.Case.Text)
	if len(text) > 80 {
		text = append(text[:80], '…')
	}
	fmt.Fprintf(env.Stdout, "  %s want %s got %v missing desks %v emergency missed %v false %v\n      %s\n",
		m.Case.ID, m.Case.Primary, got, m.MissingDesks, m.EmergencyMissed, m.EmergencyFalse, string(text))
}
