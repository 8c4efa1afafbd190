package cli

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"runtime/debug"
	"strings"

	"github.com/kakekomi/kakekomi/internal/web"
)

// serveMemoryLimit is the soft limit of the server's memory, unless
// GOMEMLIMIT sets another: under load the garbage collector then works
// harder rather than let the heap grow to twice what is live, which keeps
// the process within its 120 MB target with thousands of connections open.
const serveMemoryLimit = 80 << 20

func runServe(ctx context.Context, args []string, env Env) error {
	fs := newFlags("serve", env)
	addr := fs.String("addr", "127.0.0.1:8080", "listen on `HOST:PORT`")
	data := fs.String("data", "kakekomi-data", "keep data in `DIR` (created if absent)")
	db := fs.String("db", "", "keep saved cases in `DSN`: a postgres:// URL or a SQLite file (default DIR/kakekomi.db)")
	metricsAddr := fs.String("metrics-addr", "", "serve Prometheus metrics at /metrics (and the health probe) on a listener of their own at `HOST:PORT`, such as 127.0.0.1:9090 (default off)")
	rateLimit := fs.Float64("rate-limit", 5, "requests per second allowed to one client address (bursts of 4 seconds' worth, at least 20)")
	tlsCert := fs.String("tls-cert", "", "serve HTTPS (with HSTS) with the certificate chain in PEM `FILE`; needs --tls-key")
	tlsKey := fs.String("tls-key", "", "the private key in PEM `FILE` of --tls-cert")
	maxInFlight := fs.Int("max-inflight", 0, "work on at most `N` requests at once, answering 429 beyond (default 8 per CPU)")
	maxConns := fs.Int("max-conns", 0, "keep at most `N` connections open, closing the longest idle for a new one (default 4096)")
	var proxies []netip.Prefix
	fs.Func("trusted-proxy", "take the client address from X-Forwarded-For on connections from `CIDR[,CIDR]` (reverse proxies)", func(s string) error {
		p, err := parsePrefixes(s)
		proxies = append(proxies, p...)
		return err
	})
	if err := parseFlags(fs, args, env); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("serve: 引数は要りません。待ち受けるアドレスは --addr で指定してください。")
	}
	if (*tlsCert == "") != (*tlsKey == "") {
		return usagef("serve: --tls-cert と --tls-key は両方指定してください。")
	}
	if *maxInFlight < 0 || *maxConns < 0 {
		return usagef("serve: --max-inflight と --max-conns は 0 以上にしてください（0 は既定値）。")
	}
	if *rateLimit <= 0 {
		return usagef("serve: --rate-limit は 0 より大きくしてください。")
	}
	if env.Getenv("GOMEMLIMIT") == "" {
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(serveMemoryLimit))
	}
	k, err := loadKB()
	if err != nil {
		return err
	}
	srv, err := web.New(k, web.Config{
		Addr:           *addr,
		DataDir:        *data,
		DB:             *db,
		MetricsAddr:    *metricsAddr,
		RateLimit:      *rateLimit,
		TrustedProxies: proxies,
		TLSCert:        *tlsCert,
		TLSKey:         *tlsKey,
		MaxInFlight:    *maxInFlight,
		MaxConns:       *maxConns,
		Logger:         slog.New(slog.NewJSONHandler(env.Stderr, nil)),
		Now:            env.Now,
	})
	if err != nil {
		return err
	}
	return srv.Run(ctx)
}

// parsePrefixes reads a comma-separated list of CIDR prefixes; a bare
// address stands for itself alone.
func parsePrefixes(s string) ([]netip.Prefix, error) {
	var ps []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if a, err := netip.ParseAddr(f); err == nil {
			ps = append(ps, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, fmt.Errorf("%q is not an address or CIDR prefix like 10.0.0.0/8", f)
		}
		ps = append(ps, p.Masked())
	}
	return ps, nil
}
