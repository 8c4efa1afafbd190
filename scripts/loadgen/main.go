// Command loadgen drives scripts/overload.sh: it POSTs a triage to a
// server either closed-loop (as fast as a few connections can, to find
// its capacity) or open-loop from many clients, each with its own
// loopback address (127.1.x.y) and its own steady pace, so that each
// stays under its rate limit while all together send more than the server
// can take. Open-loop requests are sent on schedule whether or not the
// earlier ones were answered, each from a goroutine of its own, so a
// server that falls behind cannot slow the load down; how late the
// generator itself sent is reported. It prints one JSON object. It is not
// part of the product.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// body is a typical description, as a frightened person writes it (the
// one of scripts/load.sh).
const body = `{"text":"通販サイトでスニーカーを買って、代金の1万2千円を銀行振込で払いました。もう2週間たつのに商品が届かず、お店にメールしても返事がありません。サイトの会社概要の電話番号もつながりません。どうしたらいいでしょうか。","at":"2026-11-24T10:30:00+09:00","context":{"minor":false,"prefecture":"東京都","answers":{}}}`

func main() {
	base := flag.String("url", "", "the server, like http://127.0.0.1:8080")
	mode := flag.String("mode", "open", "closed (capacity) or open (many clients at -rate)")
	conns := flag.Int("conns", 16, "closed: connections")
	rate := flag.Float64("rate", 1000, "open: requests per second in all")
	perClient := flag.Float64("per-client", 4, "open: requests per second of one client")
	duration := flag.Duration("duration", 10*time.Second, "how long to send")
	timeout := flag.Duration("timeout", 10*time.Second, "how long to wait for an answer")
	flag.Parse()
	if *base == "" {
		log.Fatal("loadgen: -url is required")
	}
	r := &results{health: &results{}}
	var err error
	switch *mode {
	case "closed":
		err = closed(*base+"/api/v1/triage", *conns, *duration, *timeout, r)
	case "open":
		done := make(chan struct{})
		var probes sync.WaitGroup
		probes.Go(func() { probe(*base+"/healthz", done, r.health) })
		err = open(*base+"/api/v1/triage", *rate, *perClient, *duration, *timeout, r)
		close(done)
		probes.Wait()
	default:
		err = fmt.Errorf("unknown mode %q", *mode)
	}
	if err != nil {
		log.Fatalf("loadgen: %v", err)
	}
	json.NewEncoder(os.Stdout).Encode(r.summary(*duration))
}

// results gathers the answers.
type results struct {
	mu        sync.Mutex
	latencies []time.Duration // of every answer
	ok        []time.Duration // of the 200s
	statuses  map[string]int  // "200", "429 overloaded", "5xx", ...
	errors    map[string]int  // no answer: "timeout", "connection"
	clients   int
	lagMax    time.Duration // how late the generator itself sent
	health    *results
}

func (r *results) add(status int, code string, lat time.Duration, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.statuses == nil {
		r.statuses, r.errors = map[string]int{}, map[string]int{}
	}
	if err != nil {
		var ne net.Error
		kind := "other"
		switch {
		case errors.As(err, &ne) && ne.Timeout():
			kind = "timeout"
		case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
			kind = "reset"
		case errors.Is(err, syscall.ECONNREFUSED):
			kind = "refused"
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			kind = "closed"
		}
		r.errors[kind]++
		if r.errors[kind] == 1 {
			log.Printf("loadgen: first %s: %v", kind, err)
		}
		return
	}
	key := fmt.Sprint(status)
	switch {
	case status >= 500:
		key = "5xx " + key
	case code != "":
		key += " " + code
	}
	r.statuses[key]++
	r.latencies = append(r.latencies, lat)
	if status == 200 {
		r.ok = append(r.ok, lat)
	}
}

type summary struct {
	Clients   int            `json:"clients,omitempty"`
	Answers   int            `json:"answers"`
	PerSecond float64        `json:"answers_per_s"`
	OKPerSec  float64        `json:"ok_per_s"`
	Statuses  map[string]int `json:"statuses"`
	Errors    map[string]int `json:"errors"`
	P50       float64        `json:"p50_ms"`
	P99       float64        `json:"p99_ms"`
	Max       float64        `json:"max_ms"`
	OKP99     float64        `json:"ok_p99_ms"`
	LagMax    float64        `json:"send_lag_max_ms,omitempty"`
	Health    *summary       `json:"health,omitempty"`
}

func (r *results) summary(d time.Duration) summary {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := summary{
		Clients: r.clients, Answers: len(r.latencies), Statuses: r.statuses, Errors: r.errors,
		PerSecond: float64(len(r.latencies)) / d.Seconds(), OKPerSec: float64(len(r.ok)) / d.Seconds(),
		P50: pct(r.latencies, 0.50), P99: pct(r.latencies, 0.99), Max: pct(r.latencies, 1), OKP99: pct(r.ok, 0.99),
		LagMax: ms(r.lagMax),
	}
	if r.health != nil && r.health.statuses != nil {
		h := r.health.summary(d)
		s.Health = &h
	}
	return s
}

func pct(ds []time.Duration, p float64) float64 {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	i := int(p * float64(len(ds)-1))
	return ms(ds[i])
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// post sends one triage and reads the whole answer.
func post(c *http.Client, url string, r *results) {
	start := time.Now()
	resp, err := c.Post(url, "application/json", bytes.NewReader([]byte(body)))
	if err != nil {
		r.add(0, "", 0, err)
		return
	}
	var e struct {
		Error struct{ Code string } `json:"error"`
	}
	if resp.StatusCode == 200 {
		_, err = io.Copy(io.Discard, resp.Body)
	} else {
		err = json.NewDecoder(resp.Body).Decode(&e)
		io.Copy(io.Discard, resp.Body)
	}
	resp.Body.Close()
	if err != nil && resp.StatusCode == 200 {
		r.add(0, "", 0, err)
		return
	}
	r.add(resp.StatusCode, e.Error.Code, time.Since(start), nil)
}

// closed sends from conns connections, each its next request as soon as
// its last is answered.
func closed(url string, conns int, d, timeout time.Duration, r *results) error {
	c := &http.Client{Timeout: timeout, Transport: &http.Transport{MaxIdleConnsPerHost: conns}}
	end := time.Now().Add(d)
	var wg sync.WaitGroup
	for range conns {
		wg.Go(func() {
			for time.Now().Before(end) {
				post(c, url, r)
			}
		})
	}
	wg.Wait()
	return nil
}

// open sends rate requests a second from clients of perClient each, every
// client from its own address on its own connections.
func open(url string, rate, perClient float64, d, timeout time.Duration, r *results) error {
	n := int(rate/perClient + 0.999)
	if n > 250*256 {
		return fmt.Errorf("%d clients: more than 127.1.0.0/16 holds", n)
	}
	r.clients = n
	period := time.Duration(float64(time.Second) * float64(n) / rate)
	start := time.Now().Add(500 * time.Millisecond) // time to start every client
	end := start.Add(d)
	var lagMax atomic.Int64
	var wg sync.WaitGroup
	for i := range n {
		local := &net.TCPAddr{IP: net.IPv4(127, 1, byte(i/250), byte(1+i%250))}
		dialer := &net.Dialer{LocalAddr: local, Timeout: timeout}
		// Two connections at most, as a phone's browser would use: more
		// requests due wait for one, and their wait counts.
		c := &http.Client{Timeout: timeout, Transport: &http.Transport{
			DialContext:         dialer.DialContext,
			MaxConnsPerHost:     2,
			MaxIdleConnsPerHost: 2,
		}}
		wg.Go(func() {
			defer c.CloseIdleConnections()
			var sent sync.WaitGroup
			due := start.Add(time.Duration(rand.Int64N(int64(period))))
			for due.Before(end) {
				time.Sleep(time.Until(due))
				if lag := time.Since(due); lag > time.Duration(lagMax.Load()) {
					lagMax.Store(int64(lag))
				}
				sent.Go(func() { post(c, url, r) })
				due = due.Add(period)
			}
			sent.Wait()
		})
	}
	wg.Wait()
	r.lagMax = time.Duration(lagMax.Load())
	return nil
}

// probe asks for the health probe every 100 ms until done, as a load
// balancer would.
func probe(url string, done <-chan struct{}, r *results) {
	c := &http.Client{Timeout: 2 * time.Second}
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
		}
		start := time.Now()
		resp, err := c.Get(url)
		if err != nil {
			r.add(0, "", 0, err)
			continue
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		r.add(resp.StatusCode, "", time.Since(start), nil)
	}
}
