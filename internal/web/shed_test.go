package web

import (
	"context"
	"math"
	"net/http"
	"net/url"
	"runtime"
	rtmetrics "runtime/metrics"
	"sync/atomic"
	"testing"
	"time"
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

// TestShedWhenQueued checks that requests are shed while the scheduler
// reports that goroutines wait to run, whatever the in-flight count.
func TestShedWhenQueued(t *testing.T) {
	s := newServer(t, Config{})
	h := s.Handler()
	s.h.sched.share.Store(fullShare)
	wantAPIError(t, postJSON(t, h, "/api/v1/triage", `{"text":"`+phishingText+`"}`), http.StatusTooManyRequests, "overloaded")
	if w := get(t, h, "/healthz"); w.Code != 200 {
		t.Errorf("health probe while queued: %d", w.Code)
	}
	s.h.sched.share.Store(0)
	if w := postJSON(t, h, "/api/v1/triage", `{"text":"`+phishingText+`"}`); w.Code != 200 {
		t.Errorf("after the queue drained: %d", w.Code)
	}
}

// TestSchedWatch saturates one core with goroutines that each want it,
// and checks that the watch sees them wait, and sees them gone.
func TestSchedWatch(t *testing.T) {
	if testing.Short() {
		t.Skip("saturates a core for a while")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	var w schedWatch
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go w.watch(ctx)
	var stop atomic.Bool
	for range 64 {
		go func() {
			for !stop.Load() {
			}
		}()
	}
	// Bounds for a test that would otherwise hang, not measurements.
	deadline := time.Now().Add(20 * time.Second)
	for w.share.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	stop.Store(true)
	if w.share.Load() == 0 {
		t.Fatal("64 goroutines spinning on one core were not seen waiting")
	}
	deadline = time.Now().Add(60 * time.Second)
	for w.share.Load() != 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if w.share.Load() != 0 {
		t.Error("still shedding after the goroutines ended")
	}
}

// TestShedShare checks how the share of requests shed follows the queue:
// half of what is let in goes at each judgement of a long queue, 1/32
// comes back at each of a short one, and all are shed at most.
func TestShedShare(t *testing.T) {
	var w schedWatch
	for _, c := range []struct {
		tooLong bool
		want    float64
	}{{true, 0.5}, {true, 0.75}, {false, 0.71875}, {true, 0.859375}, {false, 0.828125}} {
		w.judge(c.tooLong)
		if got := float64(w.share.Load()) / fullShare; math.Abs(got-c.want) > 1e-4 {
			t.Errorf("after a queue too long %v: share %v, want %v", c.tooLong, got, c.want)
		}
	}
	for range 64 {
		w.judge(true)
	}
	if w.share.Load() != fullShare || !w.shedding() {
		t.Errorf("share %d after long queues, want all", w.share.Load())
	}
	for range 40 {
		w.judge(false)
	}
	if w.share.Load() != 0 || w.shedding() {
		t.Errorf("share %d after short queues, want none", w.share.Load())
	}
}

func TestQuantileSince(t *testing.T) {
	h := &rtmetrics.Float64Histogram{
		Buckets: []float64{math.Inf(-1), 0, 0.001, 0.01, 0.1, math.Inf(1)},
		Counts:  []uint64{0, 10, 80, 15, 5},
	}
	for _, c := range []struct {
		last  []uint64
		q     float64
		want  time.Duration
		count uint64
	}{
		{nil, 0.5, 10 * time.Millisecond, 110},
		{nil, 0.99, 100 * time.Millisecond, 110},
		{[]uint64{0, 10, 80, 10, 0}, 0.9, 100 * time.Millisecond, 10}, // only the new ones
		{[]uint64{0, 10, 80, 15, 5}, 0.9, 0, 0},
		{[]uint64{0, 0, 0, 0, 0}, 1, 100 * time.Millisecond, 110},
	} {
		got, n := quantileSince(h, c.last, c.q)
		if got != c.want || n != c.count {
			t.Errorf("since %v, q %v: %v of %d, want %v of %d", c.last, c.q, got, n, c.want, c.count)
		}
	}
	h.Counts = []uint64{0, 0, 0, 0, 3} // all beyond the last finite bound
	if got, _ := quantileSince(h, nil, 0.5); got != 100*time.Millisecond {
		t.Errorf("over the last bound: %v", got)
	}
}
