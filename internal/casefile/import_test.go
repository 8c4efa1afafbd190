package casefile

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"strings"
	"testing"
)

// withFiles returns the bundle of c whose File serves files, by evidence id.
func withFiles(c *Case, files map[string][]byte) Bundle {
	return Bundle{Case: c, File: func(e Evidence) (io.Reader, error) {
		data, ok := files[e.ID]
		if !ok {
			return nil, fmt.Errorf("no file for evidence %s", e.ID)
		}
		return bytes.NewReader(data), nil
	}}
}

// sampleBundle is a case with one evidence file.
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
	return withFiles(c, map[string][]byte{e.ID: data})
}

func export(t testing.TB, b Bundle) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := WriteBundle(&out, b, t0); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// readAll reads a whole export as an importer does and returns the case
// with its files, by evidence id.
func readAll(r io.Reader) (*Case, map[string][]byte, error) {
	b, err := ReadBundle(r)
	if err != nil {
		return nil, nil, err
	}
	files := map[string][]byte{}
	for _, e := range b.Case.Evidence {
		r, err := b.File(e)
		if err != nil {
			return nil, nil, err
		}
		if files[e.ID], err = io.ReadAll(r); err != nil {
			return nil, nil, err
		}
	}
	return b.Case, files, nil
}

type zipFile struct {
	name string
	data []byte
	mode fs.FileMode
}

// entries returns the entries of a ZIP in order, to tamper with.
func entries(t *testing.T, data []byte) []zipFile {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var files []zipFile
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, zipFile{name: f.Name, data: b})
	}
	return files
}

// zipOf writes files as WriteBundle does: deflated, with data descriptors.
func zipOf(t testing.TB, files []zipFile) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, f := range files {
		h := &zip.FileHeader{Name: f.name, Method: zip.Deflate}
		if f.mode != 0 {
			h.SetMode(f.mode)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(f.data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// rawZipOf writes files with their sizes in the local headers and no data
// descriptors, as zip(1) writes to a file, stored or deflated.
func rawZipOf(t testing.TB, files []zipFile, method uint16) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, f := range files {
		body := f.data
		if method == zip.Deflate {
			var c bytes.Buffer
			fw, _ := flate.NewWriter(&c, flate.DefaultCompression)
			fw.Write(f.data)
			fw.Close()
			body = c.Bytes()
		}
		w, err := zw.CreateRaw(&zip.FileHeader{Name: f.name, Method: method, CRC32: crc32.ChecksumIEEE(f.data),
			CompressedSize64: uint64(len(body)), UncompressedSize64: uint64(len(f.data))})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestBundleRoundTrip(t *testing.T) {
	b := sampleBundle(t)
	good := export(t, b)
	for _, tt := range []struct {
		name string
		zip  []byte
	}{
		{"as written", good},
		// Re-zipped by another tool, with the sizes in the local headers.
		{"stored", rawZipOf(t, entries(t, good), zip.Store)},
		{"deflated", rawZipOf(t, entries(t, good), zip.Deflate)},
	} {
		c, files, err := readAll(bytes.NewReader(tt.zip))
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if c.Description != b.Case.Description || string(files[b.Case.Evidence[0].ID]) != "注文確認メールの本文" {
			t.Errorf("%s: round trip lost data: %+v", tt.name, c)
		}
	}
	// The files come in order, each read to its end before the next.
	two := sampleBundle(t)
	e := two.Case.Evidence[0]
	e2 := e
	e2.ID = newID()
	two.Case.Evidence = append(two.Case.Evidence, e2)
	data := []byte("注文確認メールの本文")
	back, err := ReadBundle(bytes.NewReader(export(t, withFiles(two.Case, map[string][]byte{e.ID: data, e2.ID: data}))))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := back.File(e2); err == nil {
		t.Error("the second file opened first")
	}
	if _, err := back.File(e); err != nil {
		t.Fatal(err)
	}
	if _, err := back.File(e2); err == nil {
		t.Error("the second file opened before the first was read")
	}
}

// TestBundleRoundTripAtLimits checks that an import takes every export:
// as many evidence files as a case may hold, and a file of the largest size.
func TestBundleRoundTripAtLimits(t *testing.T) {
	c, err := Open("たくさんの証拠", nil, nil, t0)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for i := range MaxEntries {
		data := fmt.Appendf(nil, "証拠 %d", i)
		if i == 0 {
			data = append(data, bytes.Repeat([]byte("あ"), (MaxEvidenceBytes-len(data))/3)...)
		}
		e, err := NewEvidence(fmt.Sprintf("note-%d.txt", i), data, t0)
		if err != nil {
			t.Fatal(err)
		}
		c.Evidence = append(c.Evidence, e)
		files[e.ID] = data
	}
	got, gotFiles, err := readAll(bytes.NewReader(export(t, withFiles(c, files))))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Evidence) != MaxEntries || !bytes.Equal(gotFiles[c.Evidence[0].ID], files[c.Evidence[0].ID]) {
		t.Errorf("read back %d files", len(gotFiles))
	}
}

func TestReadBundleRefuses(t *testing.T) {
	good := export(t, sampleBundle(t))
	tamper := func(fn func([]zipFile) []zipFile) []byte {
		return zipOf(t, fn(entries(t, good)))
	}
	caseJSON := func(fn func(c *Case)) []byte {
		return tamper(func(f []zipFile) []zipFile {
			c := new(Case)
			if err := json.Unmarshal(f[0].data, c); err != nil {
				t.Fatal(err)
			}
			fn(c)
			f[0].data, _ = json.Marshal(c)
			return f
		})
	}
	encrypted := bytes.Clone(good)
	encrypted[6] |= flagEncrypted // case.json's local header
	tests := []struct {
		name string
		zip  []byte
		want error
	}{
		{"traversal at the end", tamper(func(f []zipFile) []zipFile { return append(f, zipFile{name: "../../etc/passwd", data: []byte("x")}) }), ErrInvalid},
		{"unlisted file", tamper(func(f []zipFile) []zipFile {
			return append(f[:2:2], zipFile{name: "evidence/extra.txt", data: []byte("x")}, f[2])
		}), ErrInvalid},
		{"changed evidence", tamper(func(f []zipFile) []zipFile { f[1].data = []byte("書き換えた"); return f }), ErrInvalid},
		{"same size, other bytes", tamper(func(f []zipFile) []zipFile { f[1].data[0] ^= 1; return f }), ErrInvalid},
		{"longer evidence", tamper(func(f []zipFile) []zipFile { f[1].data = append(f[1].data, 'x'); return f }), ErrTooLarge},
		{"no manifest", tamper(func(f []zipFile) []zipFile { return f[:2] }), ErrInvalid},
		{"manifest lies", tamper(func(f []zipFile) []zipFile {
			f[2].data = bytes.Replace(f[2].data, []byte(`"size": `), []byte(`"size": 1`), 1)
			return f
		}), ErrInvalid},
		{"manifest first", tamper(func(f []zipFile) []zipFile { return []zipFile{f[2], f[0], f[1]} }), ErrInvalid},
		{"symlink", tamper(func(f []zipFile) []zipFile { f[0].mode = fs.ModeSymlink | 0o777; return f }), ErrInvalid},
		{"repeated evidence", caseJSON(func(c *Case) { c.Evidence = append(c.Evidence, c.Evidence[0]) }), ErrInvalid},
		{"a file over the limit", caseJSON(func(c *Case) { c.Evidence[0].Size = MaxEvidenceBytes + 1 }), ErrTooLarge},
		{"files over the limit", caseJSON(func(c *Case) {
			for range MaxCaseBytes / MaxEvidenceBytes {
				e := c.Evidence[0]
				e.ID, e.Size = newID(), MaxEvidenceBytes
				c.Evidence = append(c.Evidence, e)
			}
		}), ErrTooLarge},
		{"a runnable name", caseJSON(func(c *Case) { c.Evidence[0].Name = "請求書.bat" }), ErrInvalid},
		{"a type kakekomi refuses", caseJSON(func(c *Case) { c.Evidence[0].Type = "text/html; charset=utf-8" }), ErrInvalid},
		{"encrypted", encrypted, ErrInvalid},
		{"truncated", good[:len(good)-10], ErrInvalid},
		{"trailing data", append(bytes.Clone(good), 'x'), ErrInvalid},
		{"empty", nil, ErrInvalid},
		{"not a zip", []byte("PK\x03\x04 nonsense"), ErrInvalid},
	}
	for _, tt := range tests {
		_, _, err := readAll(bytes.NewReader(tt.zip))
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
}

// meter counts the bytes read through it.
type meter struct {
	r io.Reader
	n int64
}

func (m *meter) Read(p []byte) (int, error) {
	n, err := m.r.Read(p)
	m.n += int64(n)
	return n, err
}

// stream returns the ZIP that write writes, made as it is read, so that it
// may be endless, and counts the bytes read.
func stream(t *testing.T, write func(zw *zip.Writer) error) *meter {
	pr, pw := io.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		zw := zip.NewWriter(pw)
		err := write(zw)
		if err == nil {
			err = zw.Close()
		}
		pw.CloseWithError(err)
	}()
	t.Cleanup(func() { pr.Close(); <-done })
	return &meter{r: pr}
}

// endless writes c to w until it fails: when the reader stops.
func endless(w io.Writer, c byte) error {
	b := bytes.Repeat([]byte{c}, 1<<20)
	for {
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
}

// add writes one deflated entry.
func add(zw *zip.Writer, name string, data []byte) (io.Writer, error) {
	w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate})
	if err != nil {
		return nil, err
	}
	_, err = w.Write(data)
	return w, err
}

// TestReadBundleBombs checks that exports made to exhaust memory are
// refused after reading a small part of them, whatever they claim.
func TestReadBundleBombs(t *testing.T) {
	b := sampleBundle(t)
	good := entries(t, export(t, b))
	e := b.Case.Evidence[0]
	zeros := make([]byte, MaxEvidenceBytes)
	sum := sha256.Sum256(zeros)
	blank, err := Open("真っ白な画像", nil, nil, t0)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		blank.Evidence = append(blank.Evidence, Evidence{ID: newID(), Name: fmt.Sprintf("%d.bmp", i), Type: "image/bmp",
			Size: MaxEvidenceBytes, SHA256: hex.EncodeToString(sum[:]), Received: t0})
	}
	blankJSON, _ := json.Marshal(blank)

	tests := []struct {
		name  string
		write func(zw *zip.Writer) error
		want  error
	}{
		{"case.json expands without end", func(zw *zip.Writer) error {
			w, err := add(zw, "case.json", nil)
			if err != nil {
				return err
			}
			return endless(w, ' ') // JSON's white space, read on and on
		}, ErrTooLarge},
		{"evidence expands without end", func(zw *zip.Writer) error {
			if _, err := add(zw, "case.json", good[0].data); err != nil {
				return err
			}
			w, err := add(zw, evidencePath(e), nil)
			if err != nil {
				return err
			}
			return endless(w, 0)
		}, ErrTooLarge},
		{"files that expand a thousand times", func(zw *zip.Writer) error {
			if _, err := add(zw, "case.json", blankJSON); err != nil {
				return err
			}
			for _, e := range blank.Evidence {
				if _, err := add(zw, evidencePath(e), zeros); err != nil {
					return err
				}
			}
			return nil
		}, ErrTooLarge},
		{"entries without end", func(zw *zip.Writer) error {
			for _, f := range good {
				if _, err := add(zw, f.name, f.data); err != nil {
					return err
				}
			}
			for i := 0; ; i++ {
				if _, err := add(zw, fmt.Sprintf("evidence/%d", i), nil); err != nil {
					return err
				}
			}
		}, ErrInvalid},
		{"a header that declares a gigabyte", func(zw *zip.Writer) error {
			w, err := zw.CreateRaw(&zip.FileHeader{Name: "case.json", Method: zip.Deflate, CompressedSize64: 1 << 20, UncompressedSize64: 1 << 30})
			if err != nil {
				return err
			}
			return endless(w, 0)
		}, ErrTooLarge},
	}
	for _, tt := range tests {
		src := stream(t, tt.write)
		_, _, err := readAll(src)
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
		t.Logf("%s: %v after %d bytes", tt.name, err, src.n)
		// The reader's buffer is 64 KiB; a deflated MiB of zeros is 1 KiB.
		if src.n > 1<<20 {
			t.Errorf("%s: read %d bytes of the export before refusing it", tt.name, src.n)
		}
	}
}

// FuzzReadBundle feeds arbitrary bytes to the importer: it must not panic,
// anything it accepts must be a valid case whose files match, and
// archive/zip must read the same entries from it.
func FuzzReadBundle(f *testing.F) {
	good := export(f, sampleBundle(f))
	f.Add(good)
	var files []zipFile
	zr, _ := zip.NewReader(bytes.NewReader(good), int64(len(good)))
	for _, zf := range zr.File {
		rc, _ := zf.Open()
		data, _ := io.ReadAll(rc)
		files = append(files, zipFile{name: zf.Name, data: data})
	}
	f.Add(rawZipOf(f, files, zip.Store))
	f.Add(rawZipOf(f, files, zip.Deflate))
	f.Add(zipOf(f, []zipFile{{name: "../x", data: []byte("x")}}))
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, got, err := readAll(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("error of no known kind: %v", err)
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("accepted an invalid case: %v", err)
		}
		for _, e := range c.Evidence {
			if sum := sha256.Sum256(got[e.ID]); int64(len(got[e.ID])) != e.Size || hex.EncodeToString(sum[:]) != e.SHA256 {
				t.Fatalf("accepted a file that does not match: %s", e.ID)
			}
		}
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatalf("accepted what archive/zip refuses: %v", err)
		}
		if len(zr.File) != len(c.Evidence)+2 {
			t.Fatalf("archive/zip reads %d entries", len(zr.File))
		}
		for i, zf := range zr.File[1 : len(zr.File)-1] {
			rc, err := zf.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(rc)
			rc.Close()
			if err != nil || !bytes.Equal(b, got[c.Evidence[i].ID]) {
				t.Fatalf("archive/zip reads %s otherwise: %v", zf.Name, err)
			}
		}
	})
}
