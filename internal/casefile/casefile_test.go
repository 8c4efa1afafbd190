package casefile

import (
	"archive/zip"
	"bytes"
	"errors"
	"io/fs"
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

func sampleBundle(t testing.TB) Bundle {
	t.Helper()
	c, err := Open("代金を払ったのに届かない", nil, nil, t0)
	if err != nil {
		t.Fatal(err)
	}
	data := []byte("注文確認メールの本文")
	e, err := NewEvidence("mail.txt", data, t0)
	if err != nil {
		t.Fatal(err)
	}
	c.Evidence = append(c.Evidence, e)
	return Bundle{Case: c, Files: map[string][]byte{e.ID: data}}
}

func zipOf(t testing.TB, files map[string][]byte, mode fs.FileMode) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, data := range files {
		h := &zip.FileHeader{Name: name, Method: zip.Deflate}
		if mode != 0 {
			h.SetMode(mode)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	zw.Close()
	return b.Bytes()
}

func TestBundleRoundTrip(t *testing.T) {
	b := sampleBundle(t)
	var out bytes.Buffer
	if err := WriteBundle(&out, b, t0); err != nil {
		t.Fatal(err)
	}
	got, err := ReadBundle(bytes.NewReader(out.Bytes()), int64(out.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if got.Case.Description != b.Case.Description || string(got.Files[b.Case.Evidence[0].ID]) != "注文確認メールの本文" {
		t.Errorf("round trip lost data: %+v", got.Case)
	}
}

// unzip returns the entries of an export, to tamper with.
func unzip(t *testing.T, data []byte) map[string][]byte {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		var b bytes.Buffer
		b.ReadFrom(rc)
		rc.Close()
		files[f.Name] = b.Bytes()
	}
	return files
}

func TestReadBundleRefuses(t *testing.T) {
	var good bytes.Buffer
	if err := WriteBundle(&good, sampleBundle(t), t0); err != nil {
		t.Fatal(err)
	}
	tamper := func(fn func(map[string][]byte)) []byte {
		files := unzip(t, good.Bytes())
		fn(files)
		return zipOf(t, files, 0)
	}
	tests := []struct {
		name string
		zip  []byte
		want error
	}{
		{"traversal", tamper(func(f map[string][]byte) { f["../../etc/passwd"] = []byte("x") }), ErrInvalid},
		{"inner traversal", tamper(func(f map[string][]byte) { f["evidence/../../x"] = []byte("x") }), ErrInvalid},
		{"absolute", tamper(func(f map[string][]byte) { f["/etc/cron.d/x"] = []byte("x") }), ErrInvalid},
		{"backslash", tamper(func(f map[string][]byte) { f[`..\..\x`] = []byte("x") }), ErrInvalid},
		{"unlisted file", tamper(func(f map[string][]byte) { f["evidence/extra.txt"] = []byte("x") }), ErrInvalid},
		{"changed evidence", tamper(func(f map[string][]byte) {
			for name := range f {
				if strings.HasPrefix(name, "evidence/") {
					f[name] = []byte("書き換えた")
				}
			}
		}), ErrInvalid},
		{"no manifest", tamper(func(f map[string][]byte) { delete(f, "manifest.json") }), ErrInvalid},
		{"symlink", zipOf(t, map[string][]byte{"case.json": []byte("/etc/passwd")}, fs.ModeSymlink|0o777), ErrInvalid},
		{"oversized entry", zipOf(t, map[string][]byte{"evidence/big.txt": make([]byte, MaxEvidenceBytes+1)}, 0), ErrTooLarge},
		{"not a zip", []byte("PK\x03\x04 nonsense"), ErrInvalid},
	}
	for _, tt := range tests {
		_, err := ReadBundle(bytes.NewReader(tt.zip), int64(len(tt.zip)))
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
}

// TestReadBundleLyingHeader checks that a ZIP whose header understates an
// entry's size (a zip bomb trick) is stopped by the bytes actually read.
func TestReadBundleLyingHeader(t *testing.T) {
	big := bytes.Repeat([]byte("0"), maxCaseJSON+10)
	data := zipOf(t, map[string][]byte{"case.json": big}, 0)
	// Patch the sizes in the central directory to claim 100 bytes.
	zr, _ := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	want := zr.File[0].UncompressedSize64
	patched := bytes.ReplaceAll(data, le32(uint32(want)), le32(100))
	_, err := ReadBundle(bytes.NewReader(patched), int64(len(patched)))
	if err == nil {
		t.Fatal("entry larger than its header claims was accepted")
	}
}

func le32(v uint32) []byte { return []byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)} }

// FuzzReadBundle feeds arbitrary bytes to the importer: it must not panic
// and anything it accepts must be a valid case whose files match.
func FuzzReadBundle(f *testing.F) {
	var good bytes.Buffer
	if err := WriteBundle(&good, sampleBundle(f), t0); err != nil {
		f.Fatal(err)
	}
	f.Add(good.Bytes())
	f.Add(zipOf(f, map[string][]byte{"../x": []byte("x")}, 0))
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := ReadBundle(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		if err := b.Case.Validate(); err != nil {
			t.Fatalf("accepted an invalid case: %v", err)
		}
		for _, e := range b.Case.Evidence {
			if err := e.Verify(b.Files[e.ID]); err != nil {
				t.Fatalf("accepted a file that does not match: %v", err)
			}
		}
	})
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
