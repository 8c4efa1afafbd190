package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"math"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kakekomi/kakekomi/internal/casefile"
)

// keyQueue bounds the case-key derivations. Each is an Argon2id run of
// 19 MiB and about 40 ms of one core, on purpose, so more of them at once
// than there are cores only take memory, and a queue that grows without
// bound answers nobody in time. At most cap(slots) run at once, at most
// maxWait wait, each for at most wait; beyond that a request is refused
// at once with 503 and Retry-After.
type keyQueue struct {
	slots   chan struct{}
	waiting atomic.Int64
	maxWait int64
	wait    time.Duration
}

func newKeyQueue() *keyQueue {
	n := runtime.GOMAXPROCS(0)
	return &keyQueue{slots: make(chan struct{}, n), maxWait: int64(2 * n), wait: 2 * time.Second}
}

// keysBusy is the refusal of a full key queue.
var keysBusy = &refusal{status: 503, wait: 2 * time.Second, code: "busy", title: "busy.title", key: "busy.keys"}

// acquire waits for a slot and returns its release, or keysBusy.
func (q *keyQueue) acquire(ctx context.Context) (func(), error) {
	release := func() { <-q.slots }
	select {
	case q.slots <- struct{}{}:
		return release, nil
	default:
	}
	if q.waiting.Add(1) > q.maxWait {
		q.waiting.Add(-1)
		return nil, keysBusy
	}
	defer q.waiting.Add(-1)
	t := time.NewTimer(q.wait)
	defer t.Stop()
	select {
	case q.slots <- struct{}{}:
		return release, nil
	case <-t.C:
		return nil, keysBusy
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// derive derives the keys of a new case within the queue.
func (q *keyQueue) derive(ctx context.Context, code, pass string) (casefile.Keys, error) {
	release, err := q.acquire(ctx)
	if err != nil {
		return casefile.Keys{}, err
	}
	defer release()
	return casefile.DeriveKeys(code, pass)
}

// Limits on failed opens (an unknown code or a wrong passphrase). A person
// who mistypes has five tries, then one every two minutes: a passphrase
// cannot be guessed online even with its code known. All codes together
// fail at most once a second after a burst of a minute's worth, which
// bounds guessing spread over many codes, and with it the memory the
// per-code counts take: a code is remembered only while it has failures
// to remember (at most 10 minutes), so at most globalBurst + 600 of them.
var (
	perCode  = failLimit{burst: 5, refill: 2 * time.Minute}
	allCodes = failLimit{burst: 60, refill: time.Second}
)

// failLimit is how many failures a bucket allows at once, and how soon
// each is forgotten.
type failLimit struct {
	burst  float64
	refill time.Duration
}

// bucket is a token bucket of the failures allowed. A try takes a token
// and gives it back unless it failed; tokens come back one every refill.
type bucket struct {
	tokens float64
	at     time.Time
}

func (b *bucket) fill(now time.Time, l failLimit) {
	switch {
	case b.at.IsZero():
		b.tokens = l.burst
	case now.After(b.at):
		b.tokens = min(l.burst, b.tokens+float64(now.Sub(b.at))/float64(l.refill))
	default:
		return
	}
	b.at = now
}

// take takes a token, or says how long until there is one.
func (b *bucket) take(now time.Time, l failLimit) (time.Duration, bool) {
	b.fill(now, l)
	if b.tokens < 1 {
		return time.Duration((1 - b.tokens) * float64(l.refill)), false
	}
	b.tokens--
	return 0, true
}

func (b *bucket) give(now time.Time, l failLimit) {
	b.fill(now, l)
	b.tokens = min(l.burst, b.tokens+1)
}

func (b *bucket) full(now time.Time, l failLimit) bool {
	b.fill(now, l)
	return b.tokens >= l.burst
}

// openGuard keeps the limits on failed opens. A code is known to it only
// by a keyed hash (HMAC-SHA256 under a key drawn when the process starts,
// cut to 128 bits), so that neither its memory nor a core dump holds the
// codes people typed, and the hashes mean nothing outside the process.
type openGuard struct {
	key                 [32]byte
	now                 func() time.Time
	codeLimit, allLimit failLimit

	mu    sync.Mutex
	all   bucket
	codes map[[16]byte]*bucket
}

func newOpenGuard(now func() time.Time) *openGuard {
	g := &openGuard{now: now, codeLimit: perCode, allLimit: allCodes, codes: map[[16]byte]*bucket{}}
	rand.Read(g.key[:])
	return g
}

// codeID is the keyed hash of a normalized code.
func (g *openGuard) codeID(norm string) [16]byte {
	m := hmac.New(sha256.New, g.key[:])
	m.Write([]byte(norm))
	var id [16]byte
	copy(id[:], m.Sum(nil))
	return id
}

// begin takes a try of the code and of all codes, or refuses: 429 when
// this code failed too often, 503 when all codes did. The try must end
// with done.
func (g *openGuard) begin(norm string) ([16]byte, error) {
	now := g.now()
	id := g.codeID(norm)
	g.mu.Lock()
	defer g.mu.Unlock()
	b := g.codes[id]
	if b == nil {
		g.sweep(now)
		b = &bucket{}
		g.codes[id] = b
	}
	wait, ok := b.take(now, g.codeLimit)
	if !ok {
		return id, &refusal{status: 429, wait: wait, code: "too_many_failures", key: "open.err.limited"}
	}
	if wait, ok := g.all.take(now, g.allLimit); !ok {
		g.release(id, b, now)
		return id, &refusal{status: 503, wait: wait, code: "busy", title: "busy.title", key: "busy.keys"}
	}
	return id, nil
}

// done ends a try that begin let through: a failed one keeps its tokens,
// any other gives them back.
func (g *openGuard) done(id [16]byte, failed bool) {
	if failed {
		return
	}
	now := g.now()
	g.mu.Lock()
	defer g.mu.Unlock()
	g.all.give(now, g.allLimit)
	if b := g.codes[id]; b != nil {
		g.release(id, b, now)
	}
}

// release gives back a code's token, forgetting the code when it has no
// failure left to remember.
func (g *openGuard) release(id [16]byte, b *bucket, now time.Time) {
	b.give(now, g.codeLimit)
	if b.full(now, g.codeLimit) {
		delete(g.codes, id)
	}
}

// sweep forgets the codes whose failures are all forgotten, once there
// are more than a burst of them.
func (g *openGuard) sweep(now time.Time) {
	if len(g.codes) < int(g.allLimit.burst) {
		return
	}
	for id, b := range g.codes {
		if b.full(now, g.codeLimit) {
			delete(g.codes, id)
		}
	}
}

// openCase derives the keys of a saved case from the code and passphrase
// a person typed, within the limits on failed opens and the key queue.
//
// A wrong code costs one slow hash, not two: the code's own hash names the
// case in the store, which says whether it exists and has a passphrase
// before the passphrase's hash is run. That weakens nothing: the answer
// already tells an unknown code from a wrong passphrase, the time it takes
// tells no more, and what opens an existing case, and what it costs to
// guess its passphrase, stay as they were. For a case with a passphrase,
// the case itself is opened here, because only its decryption tells a
// wrong passphrase, and the failure must be counted against the code.
func (h *handler) openCase(ctx context.Context, code, pass string) (casefile.Keys, error) {
	norm, err := casefile.NormalizeCode(code)
	if err != nil {
		return casefile.Keys{}, err
	}
	id, err := h.opens.begin(norm)
	if err != nil {
		return casefile.Keys{}, err
	}
	k, err := h.deriveOpen(ctx, norm, pass)
	h.opens.done(id, errors.Is(err, casefile.ErrNotFound) || errors.Is(err, casefile.ErrPassphrase))
	return k, err
}

func (h *handler) deriveOpen(ctx context.Context, norm, pass string) (casefile.Keys, error) {
	release, err := h.keys.acquire(ctx)
	if err != nil {
		return casefile.Keys{}, err
	}
	defer release()
	ck, err := casefile.DeriveCodeKeys(norm)
	if err != nil {
		return casefile.Keys{}, err
	}
	hasPass, err := h.store.HasPassphrase(ctx, ck.Lookup)
	if err != nil {
		return casefile.Keys{}, err
	}
	if hasPass != (pass != "") {
		return casefile.Keys{}, casefile.ErrPassphrase
	}
	k, err := ck.Keys(pass)
	if err != nil {
		return casefile.Keys{}, err
	}
	if hasPass {
		if _, err := h.store.Load(ctx, k); err != nil {
			return casefile.Keys{}, err
		}
	}
	return k, nil
}

// refusal is an answer of "not now": its status (429 or 503), when to come
// back, the API error code, and the keys of the title and words of the
// page that says why.
type refusal struct {
	status           int
	wait             time.Duration
	code, title, key string
}

func (e *refusal) Error() string {
	return fmt.Sprintf("web: refused with %d (%s) for %v", e.status, e.code, e.wait)
}

// refuse answers a refusal with Retry-After: the API's error object to an
// API path or a caller that asks for JSON, else a page in the person's
// words.
func (h *handler) refuse(w http.ResponseWriter, r *http.Request, e *refusal) {
	setRetryAfter(w, e.wait)
	noStore(w)
	if wantsJSON(r) {
		writeAPIError(w, e.status, e.code, text("en", e.key))
		return
	}
	h.renderErrorPage(w, r, e.status, e.title, text(requestLang(r), e.key))
}

// setRetryAfter says in whole seconds, at least one, when to try again.
func setRetryAfter(w http.ResponseWriter, wait time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(wait.Seconds())))))
}

// wantsJSON reports whether r is the API's or asks for JSON rather than
// a page.
func wantsJSON(r *http.Request) bool {
	accept := r.Header.Get("Accept")
	return strings.HasPrefix(r.URL.Path, "/api/") ||
		strings.Contains(accept, "application/json") && !strings.Contains(accept, "text/html")
}
