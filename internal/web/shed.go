package web

import (
	"io"
	"net/http"
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
// in-flight limit, so that under twice the load it can take the excess is
// told to come back instead of queueing until every answer is late and
// memory runs out. A request counts from when its body is in (at once
// when it has none) until its answer is written: a client sending its
// body slowly holds a connection, not a share of the server's work. The
// health probe and the style sheet are never shed.
func (h *handler) shed(l *inFlight, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" || strings.HasPrefix(r.URL.Path, "/static/") {
			next.ServeHTTP(w, r)
			return
		}
		if l.n.Load() >= l.limit {
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
