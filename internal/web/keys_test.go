package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/kakekomi/kakekomi/internal/casefile"
)

// TestKeyQueue checks that derivations wait for a slot in a queue of
// bounded length and for a bounded time, and are refused beyond either.
func TestKeyQueue(t *testing.T) {
	q := &keyQueue{slots: make(chan struct{}, 1), maxWait: 1, wait: time.Hour}
	ctx := context.Background()
	releaseA, err := q.acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b := make(chan error, 1)
	go func() {
		release, err := q.acquire(ctx)
		if err == nil {
			release()
		}
		b <- err
	}()
	for q.waiting.Load() != 1 {
		runtime.Gosched()
	}
	if _, err := q.acquire(ctx); err != keysBusy {
		t.Errorf("with the queue full: %v, want keysBusy", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	q.maxWait = 2
	if _, err := q.acquire(cancelled); !errors.Is(err, context.Canceled) {
		t.Errorf("a request gone while waiting: %v", err)
	}
	releaseA()
	if err := <-b; err != nil {
		t.Errorf("the waiting request: %v", err)
	}
	releaseA, _ = q.acquire(ctx)
	defer releaseA()
	q.wait = time.Millisecond
	if _, err := q.acquire(ctx); err != keysBusy {
		t.Errorf("after waiting its time: %v, want keysBusy", err)
	}
	if q.waiting.Load() != 0 {
		t.Errorf("%d still counted as waiting", q.waiting.Load())
	}
}

// TestCaseOpenBusy checks the answer to an open when the key queue is full:
// 503 with Retry-After, in words for a page and as JSON for a caller that
// asks for it.
func TestCaseOpenBusy(t *testing.T) {
	s, _ := caseServer(t, Config{})
	h := s.Handler()
	code := saveCase(t, h, phishingText, "")
	q := s.h.keys
	for range cap(q.slots) {
		q.slots <- struct{}{}
	}
	q.waiting.Store(q.maxWait)
	w := caseForm(t, h, "/case", code, "", nil)
	wantPage(t, w, http.StatusServiceUnavailable, "ただいま混み合っています", "数秒待ってから")
	if w.Header().Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
	w = do(t, h, request{method: "POST", target: "/case", contentType: "application/x-www-form-urlencoded",
		body: url.Values{"code": {code}}.Encode(), header: map[string]string{"Accept": "application/json"}})
	wantAPIError(t, w, http.StatusServiceUnavailable, "busy")
	if w.Header().Get("Retry-After") == "" {
		t.Error("no Retry-After for JSON")
	}
	// Saving a new case waits in the same queue.
	wantPage(t, postForm(t, h, "/cases", url.Values{"text": {phishingText}}), http.StatusServiceUnavailable, "ただいま混み合っています")
	for range cap(q.slots) {
		<-q.slots
	}
	q.waiting.Store(0)
	wantPage(t, caseForm(t, h, "/case", code, "", nil), 200, "相談メモ")
}

// TestFailedOpensPerCode checks that one code fails five times in a row,
// then once every two minutes, whichever passphrase comes, while other
// codes and successful opens are not held back.
func TestFailedOpensPerCode(t *testing.T) {
	s, _ := caseServer(t, Config{})
	clk := &clock{t: testAt}
	s.h.opens = newOpenGuard(clk.now)
	h := s.Handler()
	code := saveCase(t, h, phishingText, "さくら")
	other := saveCase(t, h, phishingText, "")
	for range 10 {
		wantPage(t, caseForm(t, h, "/case", other, "", nil), 200) // success takes nothing
	}
	for range int(perCode.burst) {
		wantPage(t, caseForm(t, h, "/case", code, "もみじ", nil), 403, "合言葉がちがうか")
	}
	// The right passphrase too: the limit is the code's.
	w := caseForm(t, h, "/case", code, "さくら", nil)
	wantPage(t, w, http.StatusTooManyRequests, "何度も失敗しています", "2分ほど待ってから")
	if got := w.Header().Get("Retry-After"); got != "120" {
		t.Errorf("Retry-After %q, want 120", got)
	}
	// The same code typed another way is the same code.
	wantPage(t, caseForm(t, h, "/case", strings.ToLower(code), "さくら", nil), http.StatusTooManyRequests)
	wantPage(t, caseForm(t, h, "/case", other, "", nil), 200)
	clk.add(perCode.refill)
	wantPage(t, caseForm(t, h, "/case", code, "さくら", nil), 200, htmlText(phishingText))
}

// TestFailedOpensInAll checks the limit on failures of all codes together.
func TestFailedOpensInAll(t *testing.T) {
	s, _ := caseServer(t, Config{})
	clk := &clock{t: testAt}
	s.h.opens = newOpenGuard(clk.now)
	s.h.opens.allLimit = failLimit{burst: 3, refill: time.Second}
	h := s.Handler()
	code := saveCase(t, h, phishingText, "")
	for range 3 {
		wantPage(t, caseForm(t, h, "/case", casefile.NewCode(), "", nil), 404)
	}
	w := caseForm(t, h, "/case", code, "", nil)
	wantPage(t, w, http.StatusServiceUnavailable, "ただいま混み合っています")
	if w.Header().Get("Retry-After") != "1" {
		t.Errorf("Retry-After %q, want 1", w.Header().Get("Retry-After"))
	}
	clk.add(time.Second)
	wantPage(t, caseForm(t, h, "/case", code, "", nil), 200)
	wantPage(t, caseForm(t, h, "/case", code, "", nil), 200) // a success gives its try back
}

// TestOpenGuardMemory fails ten thousand different codes, as an attacker
// spraying guesses would, and checks that the guard remembers no more
// codes than failures were let through, and forgets them in time.
func TestOpenGuardMemory(t *testing.T) {
	clk := &clock{t: testAt}
	g := newOpenGuard(clk.now)
	let := 0
	for range 10000 {
		norm, _ := casefile.NormalizeCode(casefile.NewCode())
		id, err := g.begin(norm)
		if err == nil {
			let++
			g.done(id, true)
		}
		clk.add(10 * time.Millisecond)
	}
	if max := int(allCodes.burst) + 100 + 1; let > max || len(g.codes) > let {
		t.Errorf("%d failures let through, %d codes remembered; want at most %d", let, len(g.codes), max)
	}
	clk.add(time.Hour)
	norm, _ := casefile.NormalizeCode(casefile.NewCode())
	id, _ := g.begin(norm)
	g.done(id, false)
	if len(g.codes) != 0 {
		t.Errorf("%d codes remembered an hour later", len(g.codes))
	}
}

func TestRefusalJSON(t *testing.T) {
	h := newServer(t, Config{}).h
	for _, c := range []struct {
		path, accept string
		json         bool
	}{
		{"/api/v1/triage", "", true},
		{"/case", "application/json", true},
		{"/case", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", false},
		{"/case", "", false},
	} {
		w := do(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.refuse(w, r, keysBusy) }),
			request{method: "POST", target: c.path, header: map[string]string{"Accept": c.accept}})
		if got := json.Valid(w.Body.Bytes()); got != c.json || w.Code != 503 {
			t.Errorf("%s with Accept %q: %d, JSON %v", c.path, c.accept, w.Code, got)
		}
	}
}

// BenchmarkOpenUnknownCode measures a failed open with a passphrase, as a
// guesser sends it: one slow hash, since no case has the code, where
// opening a case with a passphrase takes two (BenchmarkOpenCase).
func BenchmarkOpenUnknownCode(b *testing.B) {
	s := newServer(b, Config{DataDir: b.TempDir()})
	defer s.Close()
	unlimited := failLimit{burst: 1e9, refill: time.Nanosecond}
	s.h.opens.codeLimit, s.h.opens.allLimit = unlimited, unlimited
	h := s.Handler()
	for b.Loop() {
		if w := postForm(b, h, "/case", url.Values{"code": {casefile.NewCode()}, "pass": {"さくら"}}); w.Code != 404 {
			b.Fatal(w.Code)
		}
	}
}
