// Package web serves kakekomi's navigator pages and its JSON API: one
// handler per page action, templates and assets embedded, nothing stored
// about the people who use it.
package web

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/kakekomi/kakekomi/internal/kb"
	"github.com/kakekomi/kakekomi/internal/mailcheck"
	"github.com/kakekomi/kakekomi/internal/sheet"
	"github.com/kakekomi/kakekomi/internal/store"
	"github.com/kakekomi/kakekomi/internal/triage"
)

// Config is what the server needs to run.
type Config struct {
	Addr    string // HOST:PORT to listen on
	DataDir string // the data folder, created if absent; the case-file store keeps its files there
	// DB is where saved cases are kept: a postgres:// URL, or the path of
	// a SQLite file. Empty means kakekomi.db in DataDir; with no DataDir
	// either, saving cases is turned off.
	DB string
	// MetricsAddr is the HOST:PORT of a listener of its own for the
	// Prometheus metrics (/metrics) and the health probe; empty means no
	// metrics. Metrics tell how the server is used, so they stay off the
	// public listener.
	MetricsAddr string
	// RateLimit is the requests per second allowed to one client address,
	// in bursts of four seconds' worth (at least 20). Zero means 5/s.
	RateLimit float64
	// TrustedProxies are the reverse proxies in front of the server. Only
	// for a connection from one of them is the client's address taken from
	// X-Forwarded-For (for the rate limit); otherwise it is the
	// connection's own.
	TrustedProxies []netip.Prefix
	// TLSCert and TLSKey are the PEM files of the certificate chain and
	// its key; with both, the server speaks HTTPS only and sends HSTS.
	TLSCert, TLSKey string
	// MaxInFlight bounds the requests worked on at once; beyond it they
	// are refused at once with 429 and Retry-After. Zero means eight per
	// CPU (GOMAXPROCS).
	MaxInFlight int
	// MaxConns bounds the open connections; zero means 4,096. With all
	// taken, a new connection closes the one idle the longest.
	MaxConns int
	Logger   *slog.Logger
	Now      func() time.Time // the clock; nil means time.Now
}

// Default limits of one client: a person clicking through the pages never
// comes near them, a script hammering the API does.
const (
	defaultRateLimit = 5
	minRateBurst     = 20
)

// purgeEvery is how often expired cases are deleted while serving.
const purgeEvery = time.Hour

// Server is the web navigator and JSON API.
type Server struct {
	cfg       Config
	h         *handler
	handler   http.Handler
	log       *slog.Logger
	tls       *tls.Config // nil for plain HTTP
	metrics   *metrics    // nil without MetricsAddr
	closeOnce sync.Once
	closeErr  error
}

// New builds a server on the knowledge base k, which must be complete
// (loaded without problems), creates the data folder and opens the case
// store. Close releases the store.
func New(k *kb.KB, cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	log := slog.New(redactHandler{cfg.Logger.Handler()})
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.RateLimit == 0 {
		cfg.RateLimit = defaultRateLimit
	}
	if cfg.RateLimit < 0 {
		return nil, errors.New("web: the rate limit must be positive")
	}
	if cfg.MaxInFlight == 0 {
		cfg.MaxInFlight = inFlightPerCPU * runtime.GOMAXPROCS(0)
	}
	if cfg.MaxInFlight < 0 {
		return nil, errors.New("web: the in-flight limit must be positive")
	}
	if cfg.MaxConns == 0 {
		cfg.MaxConns = defaultMaxConns
	}
	if cfg.MaxConns < 0 {
		return nil, errors.New("web: the connection limit must be positive")
	}
	var tlsConfig *tls.Config
	if cfg.TLSCert != "" || cfg.TLSKey != "" {
		cert, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			return nil, fmt.Errorf("web: TLS certificate: %w", err)
		}
		tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	if cfg.DataDir != "" {
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("web: create data folder: %w", err)
		}
	}
	tpl, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	h := &handler{
		kb:         k,
		engine:     triage.New(k),
		checker:    mailcheck.New(k),
		tpl:        tpl,
		log:        log,
		now:        cfg.Now,
		trusted:    cfg.TrustedProxies,
		font:       func() ([]byte, error) { return sheet.FindFont("") },
		bodyGrace:  defaultBodyGrace,
		writeGrace: defaultWriteGrace,
		keys:       newKeyQueue(),
		inFlight:   &inFlight{limit: int64(cfg.MaxInFlight)},
		opens:      newOpenGuard(time.Now),
	}
	dsn := cfg.DB
	if dsn == "" && cfg.DataDir != "" {
		dsn = filepath.Join(cfg.DataDir, store.DefaultFile)
	}
	if dsn != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		st, err := store.Open(ctx, dsn)
		if err != nil {
			return nil, fmt.Errorf("web: %w", err)
		}
		st.Now = cfg.Now
		h.store = st
	}
	var m *metrics
	if cfg.MetricsAddr != "" {
		m = newMetrics()
		m.addGauge("kakekomi_http_requests_in_flight", "Requests being worked on (see --max-inflight).", func() float64 {
			return float64(h.inFlight.n.Load())
		})
		m.addGauge("kakekomi_http_shed_share", "Share of new requests refused while requests wait to run.", func() float64 {
			return float64(h.sched.share.Load()) / fullShare
		})
	}
	return &Server{cfg: cfg, h: h, handler: h.routes(cfg, m), log: log, tls: tlsConfig, metrics: m}, nil
}

// purgeExpired deletes the cases that have expired, with their files.
func (s *Server) purgeExpired(ctx context.Context) error {
	_, err := s.h.store.Purge(ctx, s.h.now())
	return err
}

// Close closes the case store. It is safe to call more than once.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		if s.h.store != nil {
			s.closeErr = s.h.store.Close()
		}
	})
	return s.closeErr
}

// purge deletes expired cases now and then every purgeEvery until ctx is
// done, so that nothing outlives the expiry a person was promised.
func (s *Server) purge(ctx context.Context) {
	t := time.NewTicker(purgeEvery)
	defer t.Stop()
	for {
		if err := s.purgeExpired(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("purge expired cases", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Handler returns the server's HTTP handler with all its middleware.
func (s *Server) Handler() http.Handler { return s.handler }

// Run listens on the configured addresses and serves until ctx is done.
func (s *Server) Run(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		s.Close()
		return fmt.Errorf("web: listen: %w", err)
	}
	var mln net.Listener
	if s.cfg.MetricsAddr != "" {
		if mln, err = net.Listen("tcp", s.cfg.MetricsAddr); err != nil {
			ln.Close()
			s.Close()
			return fmt.Errorf("web: listen for metrics: %w", err)
		}
	}
	return s.serve(ctx, ln, mln)
}

// Serve serves the site on ln, without the metrics listener, until ctx is
// done (see serve).
func (s *Server) Serve(ctx context.Context, ln net.Listener) error { return s.serve(ctx, ln, nil) }

// serve serves the site on ln and, when mln is not nil, the metrics on
// mln, until ctx is done; then it shuts down gracefully, letting requests
// in flight finish for a few seconds, and closes the case store.
func (s *Server) serve(ctx context.Context, ln, mln net.Listener) error {
	defer s.Close()
	if s.h.store != nil {
		pctx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { s.purge(pctx); close(done) }()
		defer func() { stop(); <-done }()
	}
	wctx, stopWatch := context.WithCancel(ctx)
	watched := make(chan struct{})
	go func() { s.h.sched.watch(wctx); close(watched) }()
	defer func() { stopWatch(); <-watched }()
	errLog := log.New(serverErrorLog{s.log}, "", 0)
	cl := newConnLimit(ln, s.cfg.MaxConns)
	if s.metrics != nil {
		s.metrics.addGauge("kakekomi_http_open_connections", "Open connections of the site (see --max-conns).",
			func() float64 { return float64(len(cl.slots)) })
	}
	srv := &http.Server{
		Handler: s.handler,
		// A body's read deadline is the handler's (see deadlines); the
		// write timeout holds until the answer's first write moves it.
		ReadHeaderTimeout: 5 * time.Second,
		WriteTimeout:      s.h.writeGrace,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          errLog,
		ConnState:         cl.track,
		TLSConfig:         s.tls,
	}
	errc := make(chan error, 2)
	go func() {
		if s.tls != nil {
			errc <- srv.ServeTLS(cl, "", "")
			return
		}
		errc <- srv.Serve(cl)
	}()
	servers := []*http.Server{srv}
	metricsAddr := ""
	if mln != nil {
		msrv := &http.Server{
			Handler:           s.metricsHandler(),
			ReadHeaderTimeout: 5 * time.Second,
			ReadTimeout:       10 * time.Second,
			WriteTimeout:      10 * time.Second,
			ErrorLog:          errLog,
		}
		go func() { errc <- msrv.Serve(mln) }()
		servers = append(servers, msrv)
		metricsAddr = mln.Addr().String()
	}
	// The listening addresses are the server's own, not a client's: they
	// bypass the redacting handler.
	s.cfg.Logger.Info("serving", "addr", ln.Addr().String(), "tls", s.tls != nil, "data", s.cfg.DataDir, "metrics", metricsAddr)
	var serveErr error
	select {
	case err := <-errc:
		serveErr = fmt.Errorf("web: serve: %w", err)
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, srv := range servers {
		if err := srv.Shutdown(shutCtx); err != nil && serveErr == nil {
			serveErr = fmt.Errorf("web: shut down: %w", err)
		}
	}
	if serveErr != nil {
		return serveErr
	}
	s.log.Info("stopped")
	return nil
}

// metricsHandler serves the metrics listener: the metrics, and the health
// probe, so that a monitor on the private side is answered whatever the
// public listener's load.
func (s *Server) metricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.metrics)
	mux.HandleFunc("GET /healthz", s.h.healthz)
	return mux
}
