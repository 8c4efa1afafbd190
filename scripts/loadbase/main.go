// Command loadbase is the baseline of scripts/load.sh: a bare net/http
// handler that does the same work as POST /api/v1/triage (decode the JSON,
// triage, encode the result) without kakekomi's web layer (middleware,
// rate limit, access log, limits, error mapping), so the load test tells
// what that layer costs. It is not part of the product.
package main

import (
	"encoding/json"
	"flag"
	"log"
	"net/http"
	"time"

	"github.com/kakekomi/kakekomi/internal/kb"
	"github.com/kakekomi/kakekomi/internal/triage"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen on `HOST:PORT`")
	flag.Parse()
	k, err := kb.Load(kb.Embedded())
	if err != nil {
		log.Fatal(err)
	}
	e := triage.New(k)
	http.HandleFunc("POST /api/v1/triage", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Text    string         `json:"text"`
			At      time.Time      `json:"at"`
			Context triage.Context `json:"context"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		res, err := e.Triage(triage.Input{Text: req.Text, At: req.At, Context: req.Context})
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(res)
	})
	http.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })
	log.Fatal(http.ListenAndServe(*addr, nil))
}
