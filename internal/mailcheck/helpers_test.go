package mailcheck

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/japanese"

	"github.com/kakekomi/kakekomi/internal/jatext"
	"github.com/kakekomi/kakekomi/internal/kb"
)

// newTestChecker returns a Checker on the embedded knowledge base. Only the
// brands matter here, so problems elsewhere in the data do not stop the
// message checks (package kb's own tests report them).
func newTestChecker(t testing.TB) *Checker {
	t.Helper()
	k, err := kb.Load(kb.Embedded())
	var problems kb.Problems
	if errors.As(err, &problems) {
		for _, p := range problems {
			if strings.HasPrefix(p.File, "brands.yaml") {
				t.Fatalf("brands.yaml: %v", p)
			}
		}
	} else if err != nil {
		t.Fatal(err)
	}
	return New(k)
}

func foldText(s string) string { return jatext.Phrase(s) }

func encode(e encoding.Encoding, s string) []byte {
	b, err := e.NewEncoder().Bytes([]byte(s))
	if err != nil {
		panic(err)
	}
	return b
}

func sjis(s string) []byte  { return encode(japanese.ShiftJIS, s) }
func eucjp(s string) []byte { return encode(japanese.EUCJP, s) }
