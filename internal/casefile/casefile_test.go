package casefile

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 24, 10, 30, 0, 0, time.FixedZone("JST", 9*3600))

func TestCodeShapeAndNormalize(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		code := NewCode()
		if len(code) != 23 || strings.Count(code, "-") != 3 || strings.ContainsAny(code, "ILOU") {
			t.Fatalf("code %q is not 4 groups of 5 unambiguous characters", code)
		}
		if seen[code] {
			t.Fatalf("code %q repeated", code)
		}
		seen[code] = true
	}
	a, err := NormalizeCode("0123o-4567i-89abc-defgl")
	if err != nil || a != "0123045671"+"89ABCDEFG1" {
		t.Errorf("normalize = %q, %v", a, err)
	}
	for _, bad := range []string{"", "ABC", "ABCDE-ABCDE-ABCDE-ABCDU", "ABCDE-ABCDE-ABCDE-ABCD?"} {
		if _, err := NormalizeCode(bad); !errors.Is(err, ErrBadCode) {
			t.Errorf("NormalizeCode(%q) = %v, want ErrBadCode", bad, err)
		}
	}
	// As typed on a Japanese keyboard: full width, 「ー」 between groups.
	if b, err := NormalizeCode("０１２３ｏー４５６７ｉー８９ａｂｃ－ｄｅｆｇｌ"); err != nil || b != a {
		t.Errorf("full-width code = %q, %v; want %q", b, err, a)
	}
}

func TestKeysSeparateLookupAndData(t *testing.T) {
	code := NewCode()
	k1, _ := DeriveKeys(code, "")
	k2, _ := DeriveKeys(strings.ToLower(code), "")
	kp, _ := DeriveKeys(code, "合言葉")
	other, _ := DeriveKeys(NewCode(), "")
	if k1.Lookup != k2.Lookup || k1.Lookup != kp.Lookup || k1.Lookup == other.Lookup {
		t.Fatal("lookup must depend on the code only")
	}
	if strings.Contains(k1.Lookup, strings.ReplaceAll(code, "-", "")) {
		t.Fatal("lookup reveals the code")
	}
	// Open decrypts in place, so each try gets a fresh copy.
	sealed := func() []byte { return k1.Seal("case", []byte("秘密")) }
	if pt, err := k2.Open("case", sealed()); err != nil || string(pt) != "秘密" {
		t.Fatalf("open with the same code: %q, %v", pt, err)
	}
	if _, err := kp.Open("case", sealed()); !errors.Is(err, ErrPassphrase) {
		t.Error("a passphrase key opened a case sealed without one")
	}
	if _, err := k1.Open("evidence/x", sealed()); err == nil {
		t.Error("sealed body opened under another label")
	}
}

func TestNewEvidenceSniffs(t *testing.T) {
	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 32)...)
	e, err := NewEvidence(`C:\Users\me\..\スクショ.png`, png, t0)
	if err != nil {
		t.Fatal(err)
	}
	if e.Type != "image/png" || e.Name != "スクショ.png" || e.Size != int64(len(png)) || len(e.SHA256) != 64 {
		t.Errorf("evidence = %+v", e)
	}
	// A program named like a picture is refused: the bytes decide.
	if _, err := NewEvidence("photo.jpg", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), t0); !errors.Is(err, ErrInvalid) {
		t.Errorf("program accepted: %v", err)
	}
	if _, err := NewEvidence("big.txt", make([]byte, MaxEvidenceBytes+1), t0); !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversized file accepted: %v", err)
	}
}

// BenchmarkDeriveKeys measures the argon2id cost a web layer pays once per
// request that opens a case.
func BenchmarkDeriveKeys(b *testing.B) {
	code := NewCode()
	for _, pass := range []string{"", "合言葉"} {
		b.Run("passphrase="+strconv.FormatBool(pass != ""), func(b *testing.B) {
			for b.Loop() {
				if _, err := DeriveKeys(code, pass); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
