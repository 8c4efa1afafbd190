package cli

import (
	"context"
	"log/slog"

	"github.com/kakekomi/kakekomi/internal/web"
)

func runServe(ctx context.Context, args []string, env Env) error {
	fs := newFlags("serve", env)
	addr := fs.String("addr", "127.0.0.1:8080", "listen on `HOST:PORT`")
	data := fs.String("data", "kakekomi-data", "keep data in `DIR` (created if absent)")
	db := fs.String("db", "", "keep saved cases in `DSN`: a postgres:// URL or a SQLite file (default DIR/kakekomi.db)")
	metrics := fs.Bool("metrics", false, "serve Prometheus metrics at /metrics")
	rateLimit := fs.Float64("rate-limit", 5, "requests per second allowed to one client address (bursts of 4 seconds' worth, at least 20)")
	if err := parseFlags(fs, args, env); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("serve: 引数は要りません。待ち受けるアドレスは --addr で指定してください。")
	}
	if *rateLimit <= 0 {
		return usagef("serve: --rate-limit は 0 より大きくしてください。")
	}
	k, err := loadKB()
	if err != nil {
		return err
	}
	srv, err := web.New(k, web.Config{
		Addr:      *addr,
		DataDir:   *data,
		DB:        *db,
		Metrics:   *metrics,
		RateLimit: *rateLimit,
		Logger:    slog.New(slog.NewJSONHandler(env.Stderr, nil)),
		Now:       env.Now,
	})
	if err != nil {
		return err
	}
	return srv.Run(ctx)
}
