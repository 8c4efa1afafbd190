package web

import (
	"net/http"
	"time"
)

// routes returns the whole route table wrapped in the middleware every
// request goes through: access log and metrics (when m is not nil)
// outermost (they see the final status), then security headers, the
// deadlines of the body and the answer, the rate limit, the in-flight
// limit and cross-origin protection for every POST.
func (h *handler) routes(cfg Config, m *metrics) http.Handler {
	mux := http.NewServeMux()

	// Pages.
	mux.HandleFunc("GET /{$}", h.showHome)
	mux.HandleFunc("POST /triage", h.showResult)
	mux.HandleFunc("GET /types/{id}", h.showTypePlan)
	mux.HandleFunc("POST /print", h.showPrint)
	mux.HandleFunc("GET /desks", h.showDesks)
	mux.HandleFunc("GET /check", h.showCheckForm)
	mux.HandleFunc("POST /check", h.showCheckResult)
	mux.HandleFunc("GET /static/{file}", h.serveStatic)

	// Saved cases. The code and passphrase come in the body of a POST,
	// never in the address.
	mux.HandleFunc("POST /cases", h.withStore(h.saveCase))
	mux.HandleFunc("POST /cases/import", h.withStore(h.importCase))
	mux.HandleFunc("POST /case", h.withStore(h.showCase))
	mux.HandleFunc("POST /case/timeline", h.withStore(h.addEvent))
	mux.HandleFunc("POST /case/party", h.withStore(h.addParty))
	mux.HandleFunc("POST /case/payment", h.withStore(h.addPayment))
	mux.HandleFunc("POST /case/entered", h.withStore(h.addEntered))
	mux.HandleFunc("POST /case/evidence", h.withStore(h.addEvidence))
	mux.HandleFunc("POST /case/progress", h.withStore(h.addProgress))
	mux.HandleFunc("POST /case/step", h.withStore(h.markStep))
	mux.HandleFunc("POST /case/remove", h.withStore(h.removeEntry))
	mux.HandleFunc("POST /case/renew", h.withStore(h.renewCase))
	mux.HandleFunc("POST /case/delete", h.withStore(h.deleteCase))
	mux.HandleFunc("POST /case/export", h.withStore(h.exportCase))
	mux.HandleFunc("POST /case/sheet", h.withStore(h.showSheet))
	mux.HandleFunc("POST /case/sheet.pdf", h.withStore(h.sheetPDF))
	mux.HandleFunc("POST /case/letter", h.withStore(h.showLetter))
	mux.HandleFunc("/", h.showNotFound)

	// JSON API.
	mux.HandleFunc("POST /api/v1/triage", h.apiTriage)
	mux.HandleFunc("GET /api/v1/desks", h.apiDesks)
	mux.HandleFunc("POST /api/v1/check", h.apiCheck)
	mux.HandleFunc("GET /api/openapi.json", h.serveOpenAPI)
	mux.HandleFunc("/api/", h.apiNotFound)

	// Probes.
	mux.HandleFunc("GET /healthz", h.healthz)

	lim := newLimiter(cfg.RateLimit, max(minRateBurst, int(4*cfg.RateLimit)), time.Now)
	var next http.Handler = mux
	next = http.NewCrossOriginProtection().Handler(next)
	next = h.shed(h.inFlight, next)
	next = h.rateLimit(lim, next)
	next = h.deadlines(next)
	next = securityHeaders(next)
	return h.accessLog(m, next)
}
