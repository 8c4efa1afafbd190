package web

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/kakekomi/kakekomi/internal/desks"
	"github.com/kakekomi/kakekomi/internal/jsonin"
	"github.com/kakekomi/kakekomi/internal/mailcheck"
	"github.com/kakekomi/kakekomi/internal/triage"
)

//go:embed openapi.json
var openAPI []byte

// apiError is the body of every API error.
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func writeAPIError(w http.ResponseWriter, status int, code, message string) {
	var e apiError
	e.Error.Code, e.Error.Message = code, message
	writeJSON(w, status, e)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"error":{"code":"internal","message":"internal error"}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// mediaType returns the request's media type, without parameters.
func mediaType(r *http.Request) string {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return ""
	}
	return mt
}

// decodeJSON reads one JSON object from the request body into v, refusing
// other content types, bodies over jsonLimit, text that is not UTF-8
// (encoding/json would replace it), unknown fields and trailing data. It
// writes the error answer and returns false on failure.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if mediaType(r) != "application/json" {
		writeAPIError(w, http.StatusUnsupportedMediaType, "unsupported_media_type", "send the body as application/json")
		return false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, jsonLimit))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		writeAPIError(w, http.StatusRequestEntityTooLarge, "too_large", "the body is larger than 64 KiB")
		return false
	case errors.Is(err, errSlowBody):
		writeAPIError(w, http.StatusRequestTimeout, "slow_body", err.Error())
		return false
	case err != nil:
		writeAPIError(w, http.StatusBadRequest, "bad_body", "could not read the body")
		return false
	}
	if err := jsonin.Check(body); err != nil {
		writeAPIError(w, http.StatusBadRequest, "invalid_utf8", "the body is "+err.Error()+": send JSON in UTF-8")
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err = dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("more than one JSON value")
	}
	if err != nil {
		writeAPIError(w, http.StatusBadRequest, "bad_json", "the body is not the expected JSON object: "+err.Error())
		return false
	}
	return true
}

// triageRequest is the body of POST /api/v1/triage.
type triageRequest struct {
	ID      string         `json:"id"`
	Text    string         `json:"text"`
	At      string         `json:"at"`
	Context triage.Context `json:"context"`
	Lang    string         `json:"lang"`
}

func (h *handler) apiTriage(w http.ResponseWriter, r *http.Request) {
	var req triageRequest
	if !decodeJSON(w, r, &req) {
		return
	}
	if !knownLang(req.Lang) {
		writeAPIError(w, http.StatusBadRequest, "bad_lang", `lang must be "ja" or "en"`)
		return
	}
	at, err := h.parseTime(req.At)
	if err != nil {
		writeAPIError(w, http.StatusBadRequest, "bad_time", err.Error())
		return
	}
	res, err := h.engine.Triage(triage.Input{ID: req.ID, Text: req.Text, At: at, Context: req.Context, Lang: req.Lang})
	if err != nil {
		writeAPIError(w, http.StatusBadRequest, triage.ErrorCode(err), err.Error())
		return
	}
	noStore(w)
	writeJSON(w, http.StatusOK, res)
}

func (h *handler) apiDesks(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	at, err := h.parseTime(q.Get("at"))
	if err != nil {
		writeAPIError(w, http.StatusBadRequest, "bad_time", err.Error())
		return
	}
	open := q.Get("open")
	if open != "" && open != "0" && open != "1" && open != "true" && open != "false" {
		writeAPIError(w, http.StatusBadRequest, "bad_open", "open must be 1 or 0")
		return
	}
	lang := q.Get("lang")
	if lang != "en" {
		lang = "ja"
	}
	list := desks.List(h.kb, at, lang, open == "1" || open == "true")
	writeJSON(w, http.StatusOK, struct {
		At    string       `json:"at"`
		Desks []desks.View `json:"desks"`
	}{at.Format("2006-01-02T15:04:05Z07:00"), list})
}

// checkRequest is the JSON body of POST /api/v1/check.
type checkRequest struct {
	ID   string `json:"id"`
	Text string `json:"text"`
	URL  string `json:"url"`
	Lang string `json:"lang"` // of the signals and advice; ?lang= for a raw mail
}

func (h *handler) apiCheck(w http.ResponseWriter, r *http.Request) {
	var res *mailcheck.Result
	var err error
	var id string
	opts := mailcheck.Options{Lang: r.URL.Query().Get("lang")}
	if !knownLang(opts.Lang) {
		writeAPIError(w, http.StatusBadRequest, "bad_lang", `lang must be "ja" or "en"`)
		return
	}
	switch mediaType(r) {
	case "message/rfc822":
		r.Body = http.MaxBytesReader(w, r.Body, mailLimit)
		var raw []byte
		raw, err = io.ReadAll(r.Body)
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeAPIError(w, http.StatusRequestEntityTooLarge, "too_large", "the mail is larger than 4 MiB")
			return
		}
		if errors.Is(err, errSlowBody) {
			writeAPIError(w, http.StatusRequestTimeout, "slow_body", err.Error())
			return
		}
		if err != nil {
			writeAPIError(w, http.StatusBadRequest, "bad_body", "could not read the mail")
			return
		}
		if len(bytes.TrimSpace(raw)) == 0 {
			writeAPIError(w, http.StatusBadRequest, "empty", "the mail is empty")
			return
		}
		res, err = h.checker.CheckMail(bytes.NewReader(raw), opts)
	case "application/json":
		var req checkRequest
		if !decodeJSON(w, r, &req) {
			return
		}
		id = req.ID
		if !knownLang(req.Lang) {
			writeAPIError(w, http.StatusBadRequest, "bad_lang", `lang must be "ja" or "en"`)
			return
		}
		if req.Lang != "" {
			opts.Lang = req.Lang
		}
		hasText, hasURL := strings.TrimSpace(req.Text) != "", strings.TrimSpace(req.URL) != ""
		switch {
		case hasText && hasURL, !hasText && !hasURL:
			writeAPIError(w, http.StatusBadRequest, "bad_fields", `send exactly one of "text" and "url"`)
			return
		case hasText:
			res, err = h.checker.CheckText(req.Text, opts)
		default:
			res, err = h.checker.CheckURL(strings.TrimSpace(req.URL), opts)
		}
	default:
		writeAPIError(w, http.StatusUnsupportedMediaType, "unsupported_media_type", "send application/json or message/rfc822")
		return
	}
	if err != nil {
		status := http.StatusBadRequest
		if mailcheck.OverLimit(err) {
			status = http.StatusRequestEntityTooLarge
		}
		writeAPIError(w, status, mailcheck.ErrorCode(err), err.Error())
		return
	}
	res.ID = id
	noStore(w)
	writeJSON(w, http.StatusOK, res)
}

// knownLang reports whether lang is one the answers are written in; empty
// means the default, Japanese.
func knownLang(lang string) bool { return lang == "" || lang == "ja" || lang == "en" }

func (h *handler) serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(openAPI)
}

func (h *handler) apiNotFound(w http.ResponseWriter, r *http.Request) {
	writeAPIError(w, http.StatusNotFound, "not_found", "no such API path: see /api/openapi.json")
}
