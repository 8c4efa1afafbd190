package web

import (
	"net/http"
	"net/url"
	"runtime"
	"testing"
)

// TestShed holds a request in flight (an open waiting for a key slot) at
// an in-flight limit of one, and checks that other requests are refused
// at once with 429 and Retry-After, the health probe still answered, and
// that all goes on when the work is done.
func TestShed(t *testing.T) {
	s, _ := caseServer(t, Config{MaxInFlight: 1})
	h := s.Handler()
	code := saveCase(t, h, phishingText, "")
	q := s.h.keys
	for range cap(q.slots) {
		q.slots <- struct{}{}
	}
	done := make(chan int)
	go func() { done <- caseForm(t, h, "/case", code, "", nil).Code }()
	for q.waiting.Load() != 1 {
		runtime.Gosched()
	}
	if n := s.h.inFlight.n.Load(); n != 1 {
		t.Fatalf("%d requests in flight, want 1", n)
	}

	w := get(t, h, "/api/v1/desks")
	wantAPIError(t, w, http.StatusTooManyRequests, "overloaded")
	if w.Header().Get("Retry-After") != "1" {
		t.Errorf("Retry-After %q, want 1", w.Header().Get("Retry-After"))
	}
	wantPage(t, postForm(t, h, "/triage", url.Values{"text": {phishingText}}), http.StatusTooManyRequests, "ただいま混み合っています")
	wantPage(t, get(t, h, "/?lang=en"), http.StatusTooManyRequests, "We are busy right now")
	if w := get(t, h, "/healthz"); w.Code != 200 {
		t.Errorf("health probe under load: %d", w.Code)
	}

	for range cap(q.slots) {
		<-q.slots
	}
	if code := <-done; code != 200 {
		t.Errorf("the request in flight: %d", code)
	}
	if n := s.h.inFlight.n.Load(); n != 0 {
		t.Errorf("%d requests still in flight", n)
	}
	if w := get(t, h, "/api/v1/desks"); w.Code != 200 {
		t.Errorf("after the load: %d", w.Code)
	}
}
