package web

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/kakekomi/kakekomi/internal/casefile"
)

// randomPNG is a PNG header and n bytes that do not compress.
func randomPNG(seed uint64, n int) []byte {
	b := make([]byte, n)
	rand.NewChaCha8([32]byte{byte(seed)}).Read(b)
	return append(bytes.Clone(pngFile), b...)
}

// export downloads a case's export through a real connection.
func export(t *testing.T, srv *httptest.Server, code string) ([]byte, error) {
	t.Helper()
	resp, err := http.PostForm(srv.URL+"/case/export", url.Values{"code": {code}})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("export: %d %v", resp.StatusCode, resp.Header)
	}
	return io.ReadAll(resp.Body)
}

func TestExportImportLargeCase(t *testing.T) {
	s, _ := caseServer(t, Config{})
	h := s.Handler()
	code := saveCase(t, h, phishingText, "")
	size := casefile.MaxEvidenceBytes - len(pngFile)
	if testing.Short() {
		size = 2 << 20
	}
	var sums []string
	for i := range 3 {
		data := randomPNG(uint64(i), size)
		wantPage(t, upload(t, h, "/case/evidence", url.Values{"code": {code}}, "file", fmt.Sprintf("screen-%d.png", i), data), 200)
		sums = append(sums, sha256Hex(data))
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	zipped, err := export(t, srv, code)
	if err != nil {
		t.Fatal(err)
	}
	if len(zipped) < 3*size {
		t.Fatalf("the export has %d bytes for %d bytes of files", len(zipped), 3*size)
	}
	body := wantPage(t, upload(t, h, "/cases/import", nil, "bundle", "kakekomi-case.zip", zipped), 200, "証拠のファイル 3件")
	newCode := codeRE.FindStringSubmatch(body)[1]
	wantPage(t, caseForm(t, h, "/case", newCode, "", nil), 200, sums...)
}

// TestExportBrokenOff checks that an export failing half-way is a broken
// download, not a 200 with a ZIP that looks whole.
func TestExportBrokenOff(t *testing.T) {
	s, _ := caseServer(t, Config{})
	h := s.Handler()
	code := saveCase(t, h, phishingText, "")
	wantPage(t, upload(t, h, "/case/evidence", url.Values{"code": {code}}, "file", "first.png", randomPNG(1, 4<<20)), 200)
	wantPage(t, upload(t, h, "/case/evidence", url.Values{"code": {code}}, "file", "second.png", pngFile), 200)
	// Spoil the second file's sealed bytes, as a failing disk would.
	k, err := casefile.DeriveKeys(code, "")
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.h.store.Load(context.Background(), k)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.h.store.DB().Exec(`UPDATE evidence_parts SET data = $1 WHERE id = $2`, []byte("spoiled"), c.Evidence[1].ID); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	got, err := export(t, srv, code)
	if err == nil {
		t.Fatalf("a broken export downloaded whole (%d bytes)", len(got))
	}
	if len(got) < 1<<20 {
		t.Errorf("only %d bytes came before the break: the test should break a download under way", len(got))
	}
}

// bombZip is an export whose case.json is 32 MiB of white space: 32 KiB
// deflated.
func bombZip(t *testing.T) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: "case.json", Method: zip.Deflate})
	if err != nil {
		t.Fatal(err)
	}
	spaces := bytes.Repeat([]byte(" "), 1<<20)
	for range 32 {
		w.Write(spaces)
	}
	zw.Close()
	return b.Bytes()
}

func TestImportRefusesZipBombs(t *testing.T) {
	s, _ := caseServer(t, Config{})
	h := s.Handler()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("bundle", "bomb.zip")
	fw.Write(bombZip(t))
	mw.Close()
	// Eight at once, as in the report that took the server to 3.4 GB.
	var wg sync.WaitGroup
	answers := make([]*httptest.ResponseRecorder, 8)
	for i := range answers {
		wg.Go(func() {
			answers[i] = do(t, h, request{method: "POST", target: "/cases/import", contentType: mw.FormDataContentType(), body: body.String()})
		})
	}
	wg.Wait()
	for _, w := range answers {
		wantPage(t, w, 413, "開くと大きくなりすぎる", "合わせて200MBまで")
	}
	var n int
	if err := s.h.store.DB().QueryRow(`SELECT count(*) FROM cases`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d cases kept of refused imports (%v)", n, err)
	}
}

// TestUploadsLeaveNoTempFiles checks that uploads larger than
// ParseMultipartForm keeps in memory leave nothing in the temporary folder.
func TestUploadsLeaveNoTempFiles(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	s, _ := caseServer(t, Config{})
	h := s.Handler()
	code := saveCase(t, h, phishingText, "")
	wantPage(t, upload(t, h, "/case/evidence", url.Values{"code": {code}, "note": {"画面"}}, "file", "big.png", randomPNG(1, 5<<20)), 200, "画面")
	srv := httptest.NewServer(h)
	defer srv.Close()
	zipped, err := export(t, srv, code)
	if err != nil {
		t.Fatal(err)
	}
	wantPage(t, upload(t, h, "/cases/import", nil, "bundle", "kakekomi-case.zip", zipped), 200, "証拠のファイル 1件")
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("uploads left %d files in the temporary folder: %v", len(left), left)
	}
}

// TestSpill checks that a spilled upload has no name while it lives, holds
// nothing readable, and reads back whole.
func TestSpill(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	sp, err := newSpill()
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	secret := strings.Repeat("振込先 サンプル銀行 普通 1234567 ", 1000)
	if _, err := io.Copy(sp, strings.NewReader(secret)); err != nil {
		t.Fatal(err)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("the spill has a name: %v", left)
	}
	raw := make([]byte, len(secret))
	if _, err := sp.f.ReadAt(raw, 0); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("サンプル銀行")) {
		t.Error("the spill holds the upload in the clear")
	}
	r, err := sp.Reader()
	if err != nil {
		t.Fatal(err)
	}
	if back, err := io.ReadAll(r); err != nil || string(back) != secret {
		t.Errorf("read back %d bytes, %v", len(back), err)
	}
}

// FuzzReadUpload feeds arbitrary multipart bodies to the upload reader: it
// must not panic, keep no more than formLimit of fields, and hand over at
// most one file.
func FuzzReadUpload(f *testing.F) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.SetBoundary("kakekomi-fuzz")
	mw.WriteField("code", "ABCDE-FGHJK-MNPQR-STVWX")
	fw, _ := mw.CreateFormFile("bundle", "case.zip")
	fw.Write([]byte("PK\x03\x04"))
	mw.WriteField("pass", "ふじ")
	mw.Close()
	f.Add(body.Bytes())
	f.Add([]byte("--kakekomi-fuzz\r\nContent-Disposition: form-data; name=\"bundle\"; filename=\"\"\r\n\r\n\r\n--kakekomi-fuzz--\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := httptest.NewRequest("POST", "/cases/import?lang=en", bytes.NewReader(data))
		r.Header.Set("Content-Type", "multipart/form-data; boundary=kakekomi-fuzz")
		files := 0
		found, err := readUpload(r, "bundle", func(_ string, body io.Reader) error {
			files++
			_, err := io.Copy(io.Discard, body)
			return err
		})
		if found != (files == 1) || files > 1 {
			t.Fatalf("found %v with %d files", found, files)
		}
		if err != nil {
			return
		}
		n := 0
		for k, vs := range r.PostForm {
			for _, v := range vs {
				n += len(v)
			}
			if k == "bundle" && found {
				t.Fatal("the file also came as a field")
			}
		}
		if n > formLimit {
			t.Fatalf("kept %d bytes of fields", n)
		}
		if !slices.Contains(r.Form["lang"], "en") {
			t.Fatal("the query was lost")
		}
	})
}
