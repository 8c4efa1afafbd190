package mailcheck

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/emersion/go-msgauth/authres"
	"github.com/jhillyerd/enmime/v2"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/japanese"
)

// readMail reads and parses a raw mail of at most MaxMailBytes.
func readMail(r io.Reader) (*message, error) {
	raw, err := io.ReadAll(io.LimitReader(r, MaxMailBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read mail: %w", err)
	}
	if len(raw) > MaxMailBytes {
		return nil, ErrTooLarge
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, ErrEmpty
	}
	if err := checkBuild(raw); err != nil {
		return nil, err
	}
	// Windows tools save .eml files with CRLF or bare LF; enmime takes both.
	// It is forgiving: problems in parts are gathered in env.Errors.
	env, err := enmime.NewParser(enmime.SkipMalformedParts(true), enmime.MaxStoredPartErrors(8)).ReadEnvelope(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotMail, err)
	}
	header := func(name string) string { return decodeRaw(env.GetHeader(name)) }
	mm := &Mail{
		Subject:    header("Subject"),
		ReplyTo:    header("Reply-To"),
		ReturnPath: strings.Trim(header("Return-Path"), "<> "),
		Received:   len(env.GetHeaderValues("Received")),
	}
	from := header("From")
	if from == "" && mm.Subject == "" && mm.Received == 0 && header("Date") == "" {
		return nil, fmt.Errorf("%w: no From, Subject, Date or Received header (to check a pasted text, use the text check)", ErrNotMail)
	}
	mm.FromName, mm.FromAddr = splitAddress(from)
	if t, err := env.Date(); err == nil {
		mm.Date = t.Format(time.RFC3339)
	} else {
		mm.Date = header("Date")
	}
	for _, v := range env.GetHeaderValues("Authentication-Results") {
		_, results, err := authres.Parse(v)
		if err != nil {
			continue
		}
		for _, res := range results {
			switch res := res.(type) {
			case *authres.SPFResult:
				mm.SPF = worse(mm.SPF, string(res.Value))
			case *authres.DKIMResult:
				mm.DKIM = worse(mm.DKIM, string(res.Value))
			case *authres.DMARCResult:
				mm.DMARC = worse(mm.DMARC, string(res.Value))
			}
		}
	}
	m := &message{kind: "mail", mail: mm, body: truncate(env.Text, maxBodyBytes)}
	m.fromHost = addrHost(mm.FromAddr)
	if _, addr := splitAddress(mm.ReplyTo); addr != "" {
		m.replyHost = addrHost(addr)
	}
	if env.HTML != "" {
		m.links = htmlLinks(env.HTML)
	}
	for _, l := range textLinks(m.body) {
		if !hasLink(m.links, l.raw) {
			m.links = append(m.links, l)
		}
	}
	for _, parts := range [][]*enmime.Part{env.Attachments, env.Inlines, env.OtherParts} {
		for _, p := range parts {
			sum := sha256.Sum256(p.Content)
			m.attachments = append(m.attachments, Attachment{
				Name: lastBytes(decodeRaw(p.FileName), maxNameBytes), Type: truncate(p.ContentType, maxNameBytes), Size: len(p.Content), SHA256: hex.EncodeToString(sum[:]),
			})
		}
	}
	return m, nil
}

// maxBodyBytes is how much of a mail's text is judged, as much as of a
// pasted text: scams say what they want at the top, and judging costs
// about 50 times the text in memory, so a 10 MiB body of filler should not
// cost 10 MiB of matching.
const maxBodyBytes = MaxTextBytes

// maxNameBytes bounds an attachment's name and type as the result gives
// them: the part headers they come from are bounded only by the mail.
const maxNameBytes = 255

// lastBytes keeps the end of s, at most n bytes from a character boundary:
// the end of a file name says what kind of file it is.
func lastBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := len(s) - n
	for i < len(s) && !utf8.RuneStart(s[i]) {
		i++
	}
	return s[i:]
}

// truncate cuts s to at most n bytes at a character boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// authOrder ranks authentication results from best to worst, so that a
// mail with several Authentication-Results keeps the worst of each.
var authOrder = map[string]int{"": 0, "none": 1, "pass": 1, "neutral": 2, "policy": 2, "temperror": 3, "softfail": 4, "permerror": 5, "fail": 6, "hardfail": 6}

func worse(a, b string) string {
	b = strings.ToLower(b)
	if a == "" || authOrder[b] > authOrder[a] {
		return b
	}
	return a
}

func hasLink(ls []link, raw string) bool {
	for _, l := range ls {
		if l.raw == raw {
			return true
		}
	}
	return false
}

var angleAddr = regexp.MustCompile(`<([^<>@\s]+@[^<>\s]+)>`)

// splitAddress splits a From header into display name and address,
// forgivingly: spam often breaks RFC 5322 quoting.
func splitAddress(h string) (name, addr string) {
	h = strings.TrimSpace(h)
	if h == "" {
		return "", ""
	}
	if a, err := mail.ParseAddress(h); err == nil {
		return a.Name, strings.ToLower(a.Address)
	}
	if m := angleAddr.FindStringSubmatchIndex(h); m != nil {
		name = strings.Trim(strings.TrimSpace(h[:m[0]]), `"' `)
		return name, strings.ToLower(h[m[2]:m[3]])
	}
	if strings.Contains(h, "@") && !strings.ContainsAny(h, " \t") {
		return "", strings.ToLower(h)
	}
	return h, ""
}

// addrHost returns the ASCII host of a mail address, or "".
func addrHost(addr string) string {
	i := strings.LastIndexByte(addr, '@')
	if i < 0 {
		return ""
	}
	l, ok := parseLink("http://"+strings.Trim(addr[i+1:], "<>[] "), "")
	if !ok {
		return ""
	}
	return l.host
}

// decodeRaw decodes Japanese that badly written mailers put into headers
// without RFC 2047 encoding: raw ISO-2022-JP (ESC $ B), which neither enmime
// nor net/mail decodes, and raw Shift_JIS or EUC-JP bytes.
func decodeRaw(s string) string {
	if strings.Contains(s, "\x1b$B") || strings.Contains(s, "\x1b$@") || strings.Contains(s, "\x1b(J") {
		if d, err := japanese.ISO2022JP.NewDecoder().String(s); err == nil {
			return d
		}
	}
	if utf8.ValidString(s) {
		return s
	}
	best, bestScore := strings.ToValidUTF8(s, "\uFFFD"), 0
	for _, enc := range []encoding.Encoding{japanese.ShiftJIS, japanese.EUCJP} {
		d, err := enc.NewDecoder().String(s)
		if err != nil {
			continue
		}
		if score := japaneseScore(d); score > bestScore {
			best, bestScore = d, score
		}
	}
	return best
}

// japaneseScore rates how much a decoding looks like Japanese: kana and
// kanji count for it, replacement characters and half-width katakana
// (what EUC-JP bytes become when read as Shift_JIS) against it.
func japaneseScore(s string) int {
	score := 0
	for _, r := range s {
		switch {
		case unicode.In(r, unicode.Hiragana, unicode.Han) || r >= 'ァ' && r <= 'ヶ':
			score += 2
		case r == utf8.RuneError, r >= '｡' && r <= 'ﾟ':
			score -= 3
		}
	}
	return score
}
