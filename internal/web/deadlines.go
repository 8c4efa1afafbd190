package web

import (
	"errors"
	"io"
	"net/http"
	"os"
	"time"
)

// minTransferRate is the slowest a client may send a body or read an
// answer, in bytes a second: 16 KiB/s is 128 kbit/s, what Japanese mobile
// carriers leave a phone after its monthly allowance.
const minTransferRate = 16 << 10

// Default graces of the deadlines (see deadlines).
const (
	defaultBodyGrace  = 10 * time.Second
	defaultWriteGrace = 30 * time.Second
)

// errSlowBody means a request body came slower than minTransferRate.
var errSlowBody = errors.New("the request body came too slowly")

// deadlines gives a request's body a read deadline that moves with it: the
// body grace from the start, plus the time the bytes read so far take at
// minTransferRate. A client trickling its body to hold a connection is cut
// off after the grace and what it sent; an honest upload on a slow line
// goes on, for at most the grace plus its allowed size at that rate.
// Likewise each write of the answer gets the write grace plus its size at
// minTransferRate, so that a large download is not cut short by a fixed
// timeout.
func (h *handler) deadlines(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		if r.Body != nil && r.Body != http.NoBody {
			start := time.Now()
			rc.SetReadDeadline(start.Add(h.bodyGrace))
			r.Body = &deadlineBody{ReadCloser: r.Body, rc: rc, start: start, grace: h.bodyGrace}
		}
		next.ServeHTTP(&deadlineWriter{ResponseWriter: w, rc: rc, grace: h.writeGrace}, r)
	})
}

// transferTime is how long n bytes take at minTransferRate.
func transferTime(n int64) time.Duration {
	return time.Duration(n) * time.Second / minTransferRate
}

type deadlineBody struct {
	io.ReadCloser
	rc    *http.ResponseController
	start time.Time
	grace time.Duration
	read  int64
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.read += int64(n)
	switch {
	case err == io.EOF:
		// net/http now watches the connection for the client going away
		// while the handler works; under a deadline, that watch would end
		// the request when the deadline passed.
		b.rc.SetReadDeadline(time.Time{})
	case errors.Is(err, os.ErrDeadlineExceeded):
		err = errSlowBody
	case err == nil && n > 0:
		b.rc.SetReadDeadline(b.start.Add(b.grace + transferTime(b.read)))
	}
	return n, err
}

type deadlineWriter struct {
	http.ResponseWriter
	rc    *http.ResponseController
	grace time.Duration
}

func (w *deadlineWriter) Write(p []byte) (int, error) {
	w.rc.SetWriteDeadline(time.Now().Add(w.grace + transferTime(int64(len(p)))))
	return w.ResponseWriter.Write(p)
}

func (w *deadlineWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
