package web

import (
	"context"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	rtmetrics "runtime/metrics"
	"slices"
	"strings"
	"sync/atomic"
	"time"
)

// inFlightPerCPU sizes the in-flight limit when Config.MaxInFlight is 0.
// A triage is CPU work of a millisecond or so: eight per core keep every
// core busy while a request waits for at most a few others, and bound the
// memory of the work under way to a few megabytes.
const inFlightPerCPU = 8

// inFlight counts the requests being worked on.
type inFlight struct {
	n     atomic.Int64
	limit int64
}

// overloaded is the refusal of a request beyond the in-flight limit. It
// is 429, not 503: the server is well and answers at once, and a client
// that waits a second will be served; proxies and monitors take a 5xx
// for a failing server, retry it elsewhere or page someone.
var overloaded = &refusal{status: 429, wait: time.Second, code: "overloaded", title: "busy.title", key: "busy.body"}

// shed refuses a request at once when the server already works on its
// in-flight limit, or, in the share schedWatch keeps, while requests wait
// to be run at all, so that under twice the load it can take the excess
// is told to come back instead of queueing until every answer is late and
// memory runs out. A request counts from when its body is in (at once when it
// has none) until its answer is written: a client sending its body slowly
// holds a connection, not a share of the server's work. The health probe
// and the style sheet are never shed.
func (h *handler) shed(l *inFlight, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" || strings.HasPrefix(r.URL.Path, "/static/") {
			next.ServeHTTP(w, r)
			return
		}
		if l.n.Load() >= l.limit || h.sched.shedding() {
			h.refuse(w, r, overloaded)
			return
		}
		if r.Body == nil || r.Body == http.NoBody {
			l.n.Add(1)
			defer l.n.Add(-1)
		} else {
			b := &inFlightBody{ReadCloser: r.Body, l: l}
			r.Body = b
			defer b.leave()
		}
		next.ServeHTTP(w, r)
	})
}

// inFlightBody counts its request in flight once the body is read to its
// end (or to an error).
type inFlightBody struct {
	io.ReadCloser
	l       *inFlight
	counted bool
}

func (b *inFlightBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && !b.counted {
		b.counted = true
		b.l.n.Add(1)
	}
	return n, err
}

func (b *inFlightBody) leave() {
	if b.counted {
		b.l.n.Add(-1)
	}
}

// Requests also queue where no in-flight count sees them: with every core
// busy, a connection's goroutine waits to run before it reads its request,
// so the handlers in flight stay few while the wait grows without bound.
// The runtime measures that wait (/sched/latencies:seconds, one goroutine
// switch in eight); when its 90th percentile is above maxSchedDelay, the
// cores have more work than they can do. It is read and judged every
// schedSample, except that a long wait needs minSchedSamples waits, or a
// second's, to be believed, so that a quiet server is not judged on one.
const (
	schedSample     = 50 * time.Millisecond
	maxSchedDelay   = 10 * time.Millisecond
	minSchedSamples = 16
)

// schedWatch keeps the share of new requests to shed while the
// scheduler's queue is too long. Each judgement that finds it too long
// sheds half of what was still let in; each that finds it short lets in
// 1/32 more. The share thus settles where the cores are just busy: all of
// them at work, none queueing long, which sheds no more than the excess.
type schedWatch struct {
	share atomic.Uint32 // in 1/fullShare
}

const fullShare = 1 << 16

// shedding draws whether to shed a new request.
func (w *schedWatch) shedding() bool {
	s := w.share.Load()
	return s > 0 && rand.Uint32N(fullShare) < s
}

// judge moves the share after a judgement of the queue.
func (w *schedWatch) judge(tooLong bool) {
	s := w.share.Load()
	if tooLong {
		s += (fullShare - s + 1) / 2
	} else {
		s -= min(s, fullShare/32)
	}
	w.share.Store(s)
}

// watch samples the scheduler's latencies until ctx is done.
func (w *schedWatch) watch(ctx context.Context) {
	defer w.share.Store(0)
	samples := []rtmetrics.Sample{{Name: "/sched/latencies:seconds"}}
	rtmetrics.Read(samples)
	last := slices.Clone(samples[0].Value.Float64Histogram().Counts)
	judged := time.Now()
	t := time.NewTicker(schedSample)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		rtmetrics.Read(samples)
		h := samples[0].Value.Float64Histogram()
		d, n := quantileSince(h, last, 0.9)
		tooLong := d > maxSchedDelay
		if tooLong && n < minSchedSamples && time.Since(judged) < time.Second {
			continue // too few waits yet to say so
		}
		w.judge(tooLong)
		last = append(last[:0], h.Counts...)
		judged = time.Now()
	}
}

// quantileSince returns the q-quantile of the values h counted since it
// counted last (nil for since ever), as the upper bound of its bucket, and
// how many values that was.
func quantileSince(h *rtmetrics.Float64Histogram, last []uint64, q float64) (time.Duration, uint64) {
	var total uint64
	for i, c := range h.Counts {
		if i < len(last) {
			c -= last[i]
		}
		total += c
	}
	if total == 0 {
		return 0, 0
	}
	want := uint64(math.Ceil(q * float64(total)))
	var seen uint64
	for i, c := range h.Counts {
		if i < len(last) {
			c -= last[i]
		}
		seen += c
		if seen >= want {
			upper := h.Buckets[i+1]
			if math.IsInf(upper, 1) {
				upper = h.Buckets[i]
			}
			return time.Duration(upper * float64(time.Second)), total
		}
	}
	return 0, total
}
