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
	"os"
	"strings"
	"time"

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
		err = usagef("unknown command %q; run 'kakekomi help' for the list", cmd)
	}
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(env.Stderr, "kakekomi: %s\n", ue.msg)
		return 2
	default:
		fmt.Fprintf(env.Stderr, "kakekomi: %v\n", err)
		return 1
	}
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
		return usagef("%s: %v (run 'kakekomi %s --help')", fs.Name(), err, fs.Name())
	}
	return nil
}

// ParseTime reads a TIME argument (see hours.ParseTime).
func ParseTime(s string, now func() time.Time) (time.Time, error) { return hours.ParseTime(s, now()) }

// loadKB loads the embedded knowledge base, refusing one with problems.
func loadKB() (*kb.KB, error) {
	k, err := kb.Load(kb.Embedded())
	if err != nil {
		return nil, fmt.Errorf("load knowledge base: %w", err)
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
		return "", fmt.Errorf("read standard input: %w", err)
	}
	if int64(len(b)) > limit {
		return "", usagef("standard input is larger than %d bytes", limit)
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}
