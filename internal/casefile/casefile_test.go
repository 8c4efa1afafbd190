package casefile

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
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

// TestKeysStable opens what the first release sealed, so that the keys of
// saved cases never change: a code and its passphrase must keep opening
// their case, whichever way the keys are derived.
func TestKeysStable(t *testing.T) {
	const (
		code   = "ABCDE-FGHJK-MNPQR-STVWX"
		lookup = "c573c59fd9dcad413a50de96025bbac886c71cd0f0d78f700c05be617fc2cb79"
	)
	for pass, sealed := range map[string]string{
		"":    "b69007c7f996bdeb7a6174bb2ae4a7cd327e1a5b2505be25c491193cfe1527e494b2",
		"合言葉": "9a834649dcb9722d74ae8716309043c89e955be2c24319f6e55a0357b5958808a789",
	} {
		ck, err := DeriveCodeKeys(code)
		if err != nil || ck.Lookup != lookup {
			t.Fatalf("code keys: %s, %v", ck.Lookup, err)
		}
		k, err := ck.Keys(pass)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := hex.DecodeString(sealed)
		if pt, err := k.Open("case", b); err != nil || string(pt) != "秘密" {
			t.Errorf("passphrase %q: %q, %v", pass, pt, err)
		}
		if k2, _ := DeriveKeys(code, pass); k2.Lookup != lookup || k2.Passphrase != (pass != "") {
			t.Errorf("DeriveKeys differs from DeriveCodeKeys and Keys")
		}
	}
	if _, err := (CodeKeys{}).Keys(""); err == nil {
		t.Error("keys from underived code keys")
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
	if _, err := NewEvidence("invoice.docm", []byte("PK\x03\x04\x14\x00\x06\x00"), t0); !errors.Is(err, ErrFileType) {
		t.Errorf("office file accepted: %v", err)
	}
	if _, err := NewEvidence("empty.png", nil, t0); !errors.Is(err, ErrEmptyFile) {
		t.Errorf("empty file accepted: %v", err)
	}
	if _, err := NewEvidence("big.txt", make([]byte, MaxEvidenceBytes+1), t0); !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversized file accepted: %v", err)
	}
}

// TestRunnableEvidence checks that a file that can run is kept byte for
// byte, since it may be the evidence, but as data under a name that no
// system runs, whatever its name or bytes claim; and that other files keep
// their names.
func TestRunnableEvidence(t *testing.T) {
	pe := []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff")
	script := []byte("@echo off\r\ndel /q %USERPROFILE%\\Documents\r\n")
	for _, tt := range []struct {
		name string
		data []byte
		want string // the name kept
	}{
		{"請求書.bat", script, "請求書.bat.evidence"},
		{"INVOICE.VBS", []byte("CreateObject(\"WScript.Shell\")"), "INVOICE.VBS.evidence"},
		{"invoice.pdf.exe", pe, "invoice.pdf.exe.evidence"},
		{"invoice.exe. . ", pe, "invoice.exe.evidence"},
		{"請求書\u202egpj.exe", pe, "請求書gpj.exe.evidence"},
		{"photo.jpg", pe, "photo.jpg.evidence"},
		{"notes.txt", []byte("\x7fELF\x02\x01\x01"), "notes.txt.evidence"},
		{"screen.png", []byte("\xcf\xfa\xed\xfe\x07\x00\x00\x01"), "screen.png.evidence"},
		{"sagawa.apk", []byte("PK\x03\x04\x14\x00\x08\x08"), "sagawa.apk.evidence"},
		{"update.ps1", []byte("Invoke-WebRequest"), "update.ps1.evidence"},
		{"page.html", []byte("hello <script>alert(1)</script>"), "page.html.evidence"},
		{"ショートカット.lnk", []byte("L\x00\x00\x00\x01\x14\x02\x00"), "ショートカット.lnk.evidence"},
		{"notes.txt", script, "notes.txt"},
	} {
		e, err := NewEvidence(tt.name, tt.data, t0)
		if err != nil {
			t.Errorf("%q: %v", tt.name, err)
			continue
		}
		sum := sha256.Sum256(tt.data)
		runnable := tt.want != tt.name
		if e.Name != tt.want || e.Runnable() != runnable || (runnable && e.Type != RunnableType) || e.SHA256 != hex.EncodeToString(sum[:]) {
			t.Errorf("%q: kept as %q, type %s, runnable %v", tt.name, e.Name, e.Type, e.Runnable())
		}
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

// FuzzNewEvidence checks, whatever the name and bytes, that a kept file's
// name does not run when opened, holds no control or direction characters,
// and that a file that can run is kept as data.
func FuzzNewEvidence(f *testing.F) {
	f.Add("請求書.bat", []byte("@echo off"))
	f.Add("photo.jpg", []byte("MZ\x90\x00"))
	f.Add("a.exe. .", []byte("x"))
	f.Add("x\u202egpj.exe", []byte("\x89PNG\r\n\x1a\n"))
	f.Add(`C:\a\..\b.JS`, []byte("alert(1)"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		e, err := NewEvidence(name, data, t0)
		if err != nil {
			return
		}
		if Runnable(e.Name, nil) {
			t.Fatalf("%q kept as %q, which runs", name, e.Name)
		}
		if strings.ContainsFunc(e.Name, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) }) {
			t.Fatalf("%q kept as %q", name, e.Name)
		}
		if Runnable(name, data) != (e.Type == RunnableType && strings.HasSuffix(e.Name, RunnableSuffix)) {
			t.Fatalf("%q (%d bytes) kept as %q of type %s", name, len(data), e.Name, e.Type)
		}
	})
}
