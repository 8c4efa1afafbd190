// Package web serves kakekomi's navigator pages and its JSON API: one
// handler per page action, templates and assets embedded, nothing stored
// about the people who use it.
package web

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/kakekomi/kakekomi/internal/kb"
	"github.com/kakekomi/kakekomi/internal/mailcheck"
	"github.com/kakekomi/kakekomi/internal/triage"
)

// Config is what the server needs to run.
type Config struct {
	Addr    string // HOST:PORT to listen on
	DataDir string // the data folder, created if absent; the case-file store keeps its files there
	Metrics bool   // serve Prometheus metrics at /metrics
	// RateLimit is the requests per second allowed to one client address,
	// in bursts of four seconds' worth (at least 20). Zero means 5/s.
	RateLimit float64
	Logger    *slog.Logger
	Now       func() time.Time // the clock; nil means time.Now
}

// Default limits of one client: a person clicking through the pages never
// comes near them, a script hammering the API does.
const (
	defaultRateLimit = 5
	minRateBurst     = 20
)

// Server is the web navigator and JSON API.
type Server struct {
	cfg     Config
	h       *handler
	handler http.Handler
	log     *slog.Logger
}

// New builds a server on the knowledge base k, which must be complete
// (loaded without problems), and creates the data folder.
func New(k *kb.KB, cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.RateLimit == 0 {
		cfg.RateLimit = defaultRateLimit
	}
	if cfg.RateLimit < 0 {
		return nil, errors.New("web: the rate limit must be positive")
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
		kb:      k,
		engine:  triage.New(k),
		checker: mailcheck.New(k),
		tpl:     tpl,
		log:     cfg.Logger,
		now:     cfg.Now,
	}
	return &Server{cfg: cfg, h: h, handler: h.routes(cfg), log: cfg.Logger}, nil
}

// Handler returns the server's HTTP handler with all its middleware.
func (s *Server) Handler() http.Handler { return s.handler }

// Run listens on the configured address and serves until ctx is done.
func (s *Server) Run(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("web: listen: %w", err)
	}
	return s.Serve(ctx, ln)
}

// Serve serves on ln until ctx is done, then shuts down gracefully,
// letting requests in flight finish for a few seconds.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second, // an .eml upload on a slow phone line
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          log.New(serverErrorLog{s.log}, "", 0),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	s.log.Info("serving", "addr", ln.Addr().String(), "data", s.cfg.DataDir, "metrics", s.cfg.Metrics)
	select {
	case err := <-errc:
		return fmt.Errorf("web: serve: %w", err)
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		return fmt.Errorf("web: shut down: %w", err)
	}
	s.log.Info("stopped")
	return nil
}
