package web

import (
	"context"
	"log/slog"
	"net/netip"
	"strings"
)

// redactHandler removes network addresses from every log record: the
// message, string values and errors. A client's address is personal data,
// and it reaches logs through errors that quote their connection ("write
// tcp 192.0.2.1:8080->198.51.100.7:51234: broken pipe") and through
// net/http's own error lines, so it is removed where every line passes
// rather than at each place that logs.
type redactHandler struct{ next slog.Handler }

func (h redactHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

func (h redactHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, redactAddrs(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(redactAttr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h redactHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		clean[i] = redactAttr(a)
	}
	return redactHandler{h.next.WithAttrs(clean)}
}

func (h redactHandler) WithGroup(name string) slog.Handler {
	return redactHandler{h.next.WithGroup(name)}
}

func redactAttr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, redactAddrs(v.String()))
	case slog.KindGroup:
		g := v.Group()
		clean := make([]any, len(g))
		for i, ga := range g {
			clean[i] = redactAttr(ga)
		}
		return slog.Group(a.Key, clean...)
	case slog.KindAny:
		switch x := v.Any().(type) {
		case error:
			return slog.String(a.Key, redactAddrs(x.Error()))
		case interface{ String() string }:
			return slog.String(a.Key, redactAddrs(x.String()))
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}

// redactedAddr stands in for a removed address.
const redactedAddr = "(address)"

// redactAddrs replaces every IPv4 or IPv6 address in s, with or without a
// port, by redactedAddr. Candidates are runs of the characters addresses
// are written with, kept unless netip parses them, so times ("10:30:00")
// and words stay.
func redactAddrs(s string) string {
	var b strings.Builder
	last := 0 // s[last:] is not yet copied to b
	for i := 0; i < len(s); {
		if !isAddrByte(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isAddrByte(s[j]) {
			j++
		}
		// Punctuation around an address is not part of it ("from ::1.",
		// ":192.0.2.1"), but "::1" starts with a colon.
		run := strings.TrimRight(s[i:j], ":.")
		start := i
		if !isAddr(run) {
			trimmed := strings.TrimLeft(run, ":.")
			start += len(run) - len(trimmed)
			run = trimmed
		}
		if isAddr(run) {
			b.WriteString(s[last:start])
			b.WriteString(redactedAddr)
			last = start + len(run)
		}
		i = j
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

func isAddrByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' ||
		c == ':' || c == '.' || c == '[' || c == ']' || c == '%' || c == '_'
}

func isAddr(tok string) bool {
	if !strings.ContainsAny(tok, ".:") {
		return false
	}
	if _, err := netip.ParseAddrPort(tok); err == nil {
		return true
	}
	_, err := netip.ParseAddr(strings.Trim(tok, "[]"))
	return err == nil
}
