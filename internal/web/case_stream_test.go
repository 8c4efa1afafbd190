package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
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
	if _, err := s.h.store.DB().Exec(`UPDATE evidence SET data = $1 WHERE id = $2`, []byte("spoiled"), c.Evidence[1].ID); err != nil {
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
