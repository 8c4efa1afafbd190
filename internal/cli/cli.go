// Package cli implements the kakekomi command line: one function per
// subcommand, each taking its arguments and an Env, so that tests run the
// real commands in-process.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/kakekomi/kakekomi/internal/hours"
	"github.com/kakekomi/kakekomi/internal/kb"
	"github.com/kakekomi/kakekomi/internal/triage"
)

// Env is the world a command sees.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	Now    func() time.Time
	// StderrIsTerminal says whether progress may be drawn on Stderr;
	// StdinIsTerminal whether a person types the input, who needs a prompt.
	StderrIsTerminal bool
	StdinIsTerminal  bool
}

// OSEnv returns the Env of the running process.
func OSEnv() Env {
	isTerminal := func(f *os.File) bool {
		fi, err := f.Stat()
		return err == nil && fi.Mode()&os.ModeCharDevice != 0
	}
	return Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Now: time.Now,
		StderrIsTerminal: isTerminal(os.Stderr), StdinIsTerminal: isTerminal(os.Stdin)}
}

// usageError is bad usage or bad input: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

const usage = `kakekomi: a guide for internet trouble in Japan (ネットトラブル駆け込み寺)

Usage:
  kakekomi serve [--addr HOST:PORT] [--data DIR]     run the web navigator and JSON API
  kakekomi triage [--json] [--at TIME] [--minor] [--prefecture NAME] [TEXT]
  kakekomi triage --jsonl                            batch: JSON Lines in, triage objects out
  kakekomi desks [--json] [--open] [--at TIME]       desks and whether they are open
  kakekomi check [--json] [--lang ja|en] [FILE.eml | --text TEXT | --url URL]
  kakekomi case new|show|add|evidence|sheet|letter|export|import|delete ...
  kakekomi kb check [--dir DIR]                      validate the knowledge base
  kakekomi kb snapshot [--dir DIR]                   rebuild the snapshot read at start, after editing the YAML
  kakekomi kb train [--corpus DIR] [--dir DIR]       train the triage models from the corpus
  kakekomi kb eval [--corpus DIR] [--sealed DIR]     measure them: cross-validation and sealed sets

TIME is RFC 3339 (2026-11-24T10:30:00+09:00); without an offset it is Japan time.
Run 'kakekomi COMMAND --help' for the flags of a command.
`

// Run runs the command line args (without the program name) and returns
// the exit status: 0 on success, 1 on a failure while working, 2 on bad
// usage or bad input, with one line on Stderr saying what was wrong.
func Run(ctx context.Context, args []string, env Env) int {
	if len(args) == 0 {
		fmt.Fprint(env.Stderr, usage)
		return 2
	}
	var err error
	switch cmd, rest := args[0], args[1:]; cmd {
	case "serve":
		err = runServe(ctx, rest, env)
	case "triage":
		err = runTriage(ctx, rest, env)
	case "desks":
		err = runDesks(rest, env)
	case "check":
		err = runCheck(ctx, rest, env)
	case "case":
		err = runCase(ctx, rest, env)
	case "kb":
		err = runKB(rest, env)
	case "help", "-h", "--help":
		fmt.Fprint(env.Stdout, usage)
		return 0
	default:
		err = usagef("知らないコマンドです。kakekomi help でコマンドの一覧を見てください。")
	}
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(env.Stderr, "kakekomi: %s\n", terminalSafe(ue.msg))
		return 2
	default:
		fmt.Fprintf(env.Stderr, "kakekomi: %s\n", terminalSafe(err.Error()))
		return 1
	}
}

// terminalSafe replaces what could drive a terminal in a message (control
// characters, direction overrides, bytes that are not UTF-8) with U+FFFD.
// Messages never quote the person's input, but errors from below may name
// a file.
func terminalSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			return utf8.RuneError
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

// newFlags returns a flag set whose errors become usage errors and whose
// help goes to Stdout.
func newFlags(name string, env Env) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parseFlags parses args, turning flag errors into one-line usage errors
// and printing the flags on --help.
func parseFlags(fs *flag.FlagSet, args []string, env Env) error {
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(env.Stdout)
		fmt.Fprintf(env.Stdout, "Flags of kakekomi %s:\n", fs.Name())
		fs.PrintDefaults()
		return err
	}
	if err != nil {
		return usagef("%s: %skakekomi %s --help で使い方を見てください。", fs.Name(), flagProblem(fs, err), fs.Name())
	}
	return nil
}

// flagProblem says in Japanese what was wrong with the flags. It names a
// flag only when it is one of fs's: an unknown one is the person's words.
func flagProblem(fs *flag.FlagSet, err error) string {
	var name string
	fs.VisitAll(func(f *flag.Flag) {
		// The flag package ends its messages with -NAME or puts -NAME: in them.
		if msg := err.Error(); strings.HasSuffix(msg, " -"+f.Name) || strings.Contains(msg, " -"+f.Name+":") {
			name = f.Name
		}
	})
	if name == "" {
		return "知らないオプションがあります。"
	}
	return fmt.Sprintf("--%s の値がないか、形がちがいます。", name)
}

// ParseTime reads a TIME argument (see hours.ParseTime).
func ParseTime(s string, now func() time.Time) (time.Time, error) { return hours.ParseTime(s, now()) }

// loadKB loads the built-in knowledge base, refusing one with problems.
func loadKB() (*kb.KB, error) {
	k, err := kb.Builtin()
	if err != nil {
		return nil, fmt.Errorf("知識ベースを読み込めませんでした: %w", err)
	}
	return k, nil
}

func newEngine(env Env) (*triage.Engine, error) {
	k, err := loadKB()
	if err != nil {
		return nil, err
	}
	return triage.New(k), nil
}

// readAll reads standard input up to limit bytes.
func readAll(r io.Reader, limit int64) (string, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return "", fmt.Errorf("標準入力を読めませんでした: %w", err)
	}
	if int64(len(b)) > limit {
		return "", usagef("標準入力が大きすぎます（%d バイトまで）。", limit)
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

// openInput opens the file name that a person gave for reading, with
// errors that say what to do in Japanese and do not repeat the name: a
// usage error for a missing file, one that may not be read, or a folder.
// what names the file in the messages ("check: ", "2 番目のファイル").
func openInput(what, name string) (*os.File, error) {
	f, err := os.Open(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, usagef("%sファイルが見つかりません。名前と場所を確かめてください。", what)
	case errors.Is(err, fs.ErrPermission):
		return nil, usagef("%sファイルを読む権限がありません。", what)
	case err != nil:
		return nil, fmt.Errorf("%sファイルを開けませんでした: %w", what, withoutPath(err))
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%sファイルを調べられませんでした: %w", what, withoutPath(err))
	}
	if fi.IsDir() {
		f.Close()
		return nil, usagef("%sフォルダーが指定されました。フォルダーの中のファイルを指定してください。", what)
	}
	return f, nil
}

// withoutPath drops the file name from a file system error, which names
// the file the person gave.
func withoutPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// timeProblem says how to write a TIME flag.
func timeProblem(cmd, flagName string) error {
	return usagef("%s: %s の日時を読み取れません。2026-11-24T10:30:00+09:00 のように書いてください（+09:00 がなければ日本時間です）。", cmd, flagName)
}
