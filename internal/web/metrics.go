package web

import (
	"fmt"
	"net/http"
	"sort"
	"sync"
	"time"
)

// metrics counts requests by route pattern and status, and sums their
// durations, in the Prometheus text format. It is small enough not to need
// the client library.
type metrics struct {
	mu       sync.Mutex
	requests map[routeStatus]uint64
	seconds  map[string]float64
	count    map[string]uint64
	gauges   []gauge
}

// gauge is a value read when the metrics are: how many requests are in
// flight, how many connections are open.
type gauge struct {
	name, help string
	value      func() float64
}

// addGauge adds a gauge; it must be called before the metrics are served.
func (m *metrics) addGauge(name, help string, value func() float64) {
	m.gauges = append(m.gauges, gauge{name, help, value})
}

type routeStatus struct {
	route  string
	status int
}

func newMetrics() *metrics {
	return &metrics{requests: map[routeStatus]uint64{}, seconds: map[string]float64{}, count: map[string]uint64{}}
}

func (m *metrics) observe(route string, status int, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[routeStatus{route, status}]++
	m.seconds[route] += d.Seconds()
	m.count[route]++
}

func (m *metrics) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m.mu.Lock()
	keys := make([]routeStatus, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].route != keys[j].route {
			return keys[i].route < keys[j].route
		}
		return keys[i].status < keys[j].status
	})
	routes := make([]string, 0, len(m.count))
	for k := range m.count {
		routes = append(routes, k)
	}
	sort.Strings(routes)
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	fmt.Fprintln(w, "# HELP kakekomi_http_requests_total HTTP requests by route pattern and status.")
	fmt.Fprintln(w, "# TYPE kakekomi_http_requests_total counter")
	for _, k := range keys {
		fmt.Fprintf(w, "kakekomi_http_requests_total{route=%q,status=\"%d\"} %d\n", k.route, k.status, m.requests[k])
	}
	fmt.Fprintln(w, "# HELP kakekomi_http_request_duration_seconds Time spent answering HTTP requests.")
	fmt.Fprintln(w, "# TYPE kakekomi_http_request_duration_seconds summary")
	for _, rt := range routes {
		fmt.Fprintf(w, "kakekomi_http_request_duration_seconds_sum{route=%q} %g\n", rt, m.seconds[rt])
		fmt.Fprintf(w, "kakekomi_http_request_duration_seconds_count{route=%q} %d\n", rt, m.count[rt])
	}
	for _, g := range m.gauges {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s gauge\n%s %g\n", g.name, g.help, g.name, g.name, g.value())
	}
	m.mu.Unlock()
}
