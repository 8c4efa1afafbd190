package cli

import (
	"strings"
	"testing"
	"unicode"
)

// japanese reports whether s has kana, as a message written in Japanese
// does.
func japanese(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.In(r, unicode.Hiragana, unicode.Katakana) }) >= 0
}

// TestErrorsDoNotEchoInput checks that a message about bad input never
// repeats what the person typed or gave: it may be private, and control
// characters in it would drive the terminal. The messages are in Japanese
// and the exit status says bad input.
func TestErrorsDoNotEchoInput(t *testing.T) {
	const secret = "\x1b]0;秘密の口座1234567\x07"
	dir := t.TempDir()
	for _, args := range [][]string{
		{secret},
		{"triage", "--at", secret, "届かない"},
		{"triage", "--lang", secret, "届かない"},
		{"triage", "--prefecture", secret, "届かない"},
		{"triage", "--" + secret, "届かない"},
		{"triage", "--at"},
		{"desks", secret},
		{"check", "--lang", secret, "--text", "x"},
		{"check", dir + "/" + secret + ".eml"},
		{"check", dir},
		{"check", "-"},
		{"case", secret},
		{"case", "add", "ABCDE-FGHJK-MNPQR-STVWX", "--data", dir, "--money", secret + "|2026-11-20"},
		{"case", "add", "ABCDE-FGHJK-MNPQR-STVWX", "--data", dir, "--party", "name=" + secret + ",colour=red"},
		{"case", "add", "ABCDE-FGHJK-MNPQR-STVWX", "--data", dir, "--timeline", "2026-11-20|" + secret + "|x"},
		{"case", "show", "ABCDE-FGHJK-MNPQR-STVWX", "--data", dir, secret},
		{"case", "evidence", "ABCDE-FGHJK-MNPQR-STVWX", "--data", dir, dir + "/" + secret},
		{"case", "letter", "ABCDE-FGHJK-MNPQR-STVWX", "--data", dir, secret},
	} {
		// Standard input: a text that is not a mail, with the secret in it.
		code, _, errOut := run(t, "本文だけ "+secret, args...)
		if code != 2 {
			t.Errorf("%q: exit %d, want 2 (%s)", args, code, errOut)
		}
		if strings.Contains(errOut, "秘密") || strings.ContainsAny(errOut, "\x1b\x07") {
			t.Errorf("%q: the message repeats the input: %q", args, errOut)
		}
		if !japanese(errOut) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%q: want one line in Japanese, got %q", args, errOut)
		}
	}
}

// TestPrefectureNamed: an unknown prefecture is named as the problem, with
// how to write one.
func TestPrefectureNamed(t *testing.T) {
	code, _, errOut := run(t, "", "triage", "--prefecture", "火星", "カードの請求")
	if code != 2 || !strings.Contains(errOut, "--prefecture") || !strings.Contains(errOut, "東京都") {
		t.Errorf("exit %d, %q: want the flag named and an example", code, errOut)
	}
}

func TestTerminalSafe(t *testing.T) {
	if got := terminalSafe("open /tmp/\x1b[31mx\u202e\u009b\xff: 見つかりません"); got != "open /tmp/\uFFFD[31mx\uFFFD\uFFFD\uFFFD: 見つかりません" {
		t.Errorf("terminalSafe = %q", got)
	}
}

// TestCheckFolder checks that a folder given for the mail file is bad
// input, said plainly, rather than a failure.
func TestCheckFolder(t *testing.T) {
	code, _, errOut := run(t, "", "check", t.TempDir())
	if code != 2 || !strings.Contains(errOut, "フォルダーが指定されました") {
		t.Errorf("exit %d: %s", code, errOut)
	}
}

// TestBatchLineTooLong checks that a --jsonl line over the limit stops the
// batch as bad input, naming the line, after the answers to the lines
// before it.
func TestBatchLineTooLong(t *testing.T) {
	for _, c := range []struct {
		cmd   string
		limit int
	}{{"triage", maxLine}, {"check", maxCheckLine}} {
		in := `{"id":"1","text":"カードに身に覚えのない請求"}` + "\n" + `{"id":"2","text":"` + strings.Repeat("あ", c.limit/3+1) + `"}` + "\n" + `{"id":"3","text":"x"}` + "\n"
		code, out, errOut := run(t, in, c.cmd, "--jsonl")
		if code != 2 || !strings.Contains(errOut, "2 行目が長すぎる") {
			t.Errorf("%s: exit %d: %s", c.cmd, code, errOut)
		}
		if n := strings.Count(out, "\n"); n != 1 || !strings.Contains(out, `"id":"1"`) {
			t.Errorf("%s: want the answer to line 1 alone, got %d lines", c.cmd, n)
		}
	}
}

// TestCheckBatchRefusesInvalidUTF8 checks that a check --jsonl line that is
// not UTF-8 is refused with its own error, and the batch goes on.
func TestCheckBatchRefusesInvalidUTF8(t *testing.T) {
	in := "{\"id\":\"1\",\"text\":\"アカウント\xe3\x81停止\"}\n" + `{"id":"2","text":"アカウントを停止しました"}` + "\n"
	code, out, errOut := run(t, in, "check", "--jsonl")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 2 {
		t.Fatalf("exit %d, %d lines: %s", code, len(lines), errOut)
	}
	if !strings.Contains(lines[0], `"code":"invalid_utf8"`) || !strings.Contains(lines[0], "line 1") || !strings.Contains(lines[1], `"verdict"`) {
		t.Errorf("output:\n%s", out)
	}
}
