package cli

import (
	"strings"
	"testing"
)

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
