package mailcheck

import (
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
	"golang.org/x/text/unicode/norm"
)

// link is a web address found in a message.
type link struct {
	raw   string // as written
	host  string // lower-case ASCII (punycode) host name, without port
	uhost string // the same in Unicode, as a person reads it
	site  string // registrable domain (eTLD+1) of host, or host for an IP address
	ip    bool
	text  string // visible text of an HTML link
}

// idnaProfile maps a host name the way a browser looks it up.
var idnaProfile = idna.New(idna.MapForLookup(), idna.Transitional(false), idna.BidiRule())

// urlPattern finds web addresses in text. A URL ends at white space or at
// Japanese text, but may contain Cyrillic or Greek letters (homographs).
var urlPattern = regexp.MustCompile(`(?i)(?:h..ps?://|www\.)[^\s<>"'\x60\p{Han}\p{Hiragana}\p{Katakana}、。「」『』（）()【】〈〉《》｛｝［］！？：]+`)

// barePattern finds host names written without http:// (smishing writes
// "amzn-prime-renew.com/jp" so that filters miss it). Only names whose
// top-level domain is a real one count.
var barePattern = regexp.MustCompile(`(?i)\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?:/[!-~]*)?`)

// textLinks returns the web addresses written in text.
func textLinks(text string) []link {
	var out []link
	text = norm.NFKC.String(text)
	for _, raw := range urlPattern.FindAllString(text, 32) {
		raw = strings.TrimRight(raw, ".,;:!?)]}>")
		if l, ok := parseLink(raw, ""); ok {
			out = append(out, l)
		}
	}
	rest := urlPattern.ReplaceAllString(text, " ")
	for _, m := range barePattern.FindAllStringIndex(rest, 32) {
		if m[0] > 0 && rest[m[0]-1] == '@' {
			continue // the domain of a mail address
		}
		raw := strings.TrimRight(rest[m[0]:m[1]], ".,;:!?)]}>")
		host, _, _ := strings.Cut(raw, "/")
		if _, icann := publicsuffix.PublicSuffix(strings.ToLower(host)); !icann {
			continue
		}
		if l, ok := parseLink(raw, ""); ok {
			out = append(out, l)
		}
	}
	return out
}

var schemePattern = regexp.MustCompile(`^[a-z][a-z0-9+-]*:`)

// parseLink reads one web address; text is the words shown for it.
func parseLink(raw, text string) (link, bool) {
	s := norm.NFKC.String(strings.TrimSpace(raw))
	lower := strings.ToLower(s)
	if schemePattern.MatchString(lower) && !strings.HasPrefix(lower, "http") && !strings.HasPrefix(lower, "hxxp") {
		return link{}, false // mailto:, javascript:, tel: and the like are not web addresses
	}
	switch {
	case strings.HasPrefix(lower, "hxxp"):
		s = "http" + s[4:]
	case strings.HasPrefix(lower, "www."), !strings.Contains(lower, "://"):
		s = "http://" + s
	}
	s = strings.NewReplacer("[.]", ".", "(.)", ".").Replace(s)
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return link{}, false
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if host == "" {
		return link{}, false
	}
	l := link{raw: raw, text: strings.TrimSpace(text)}
	if a, err := netip.ParseAddr(host); err == nil {
		l.host, l.uhost, l.site, l.ip = a.String(), a.String(), a.String(), true
		return l, true
	}
	if isDecimalHost(host) {
		l.host, l.uhost, l.site, l.ip = host, host, host, true
		return l, true
	}
	ascii, err := idnaProfile.ToASCII(host)
	if err != nil || !strings.Contains(ascii, ".") {
		return link{}, false
	}
	l.host = ascii
	l.uhost, err = idnaProfile.ToUnicode(ascii)
	if err != nil {
		l.uhost = host
	}
	if l.site, err = publicsuffix.EffectiveTLDPlusOne(ascii); err != nil {
		l.site = ascii
	}
	return l, true
}

// isDecimalHost reports hosts such as 3232235777 or 0xC0A80101, which
// browsers read as IP addresses.
func isDecimalHost(h string) bool {
	set := unicode.Digit
	if strings.HasPrefix(h, "0x") {
		h, set = h[2:], unicode.ASCII_Hex_Digit
	}
	if h == "" {
		return false
	}
	for _, r := range h {
		if r >= utf8.RuneSelf || !unicode.Is(set, r) {
			return false
		}
	}
	return true
}

// htmlLinks returns the links of an HTML body with their visible text.
func htmlLinks(body string) []link {
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		return nil
	}
	var out []link
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if len(out) >= 64 {
			return
		}
		if n.Type == html.ElementNode && (n.Data == "a" || n.Data == "area") {
			for _, a := range n.Attr {
				if a.Key == "href" {
					if l, ok := parseLink(a.Val, visibleText(n)); ok {
						out = append(out, l)
					}
				}
			}
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
	}
	walk(doc)
	return out
}

func visibleText(n *html.Node) string {
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			if b.Len() < 300 {
				walk(ch)
			}
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

// defang writes a URL so that it is not a link any more:
// hxxps://example[.]com/path.
func defang(raw string) string {
	s := strings.ReplaceAll(raw, "[.]", ".")
	if i := strings.Index(strings.ToLower(s), "http"); i == 0 {
		s = "hxxp" + s[4:]
	}
	host := s
	if i := strings.Index(host, "://"); i >= 0 {
		host = host[i+3:]
	}
	if i := strings.IndexAny(host, "/?#"); i >= 0 {
		host = host[:i]
	}
	return strings.Replace(s, host, strings.ReplaceAll(host, ".", "[.]"), 1)
}

// defangHost writes a host name safely: example[.]com.
func defangHost(h string) string { return strings.ReplaceAll(h, ".", "[.]") }

// shorteners are URL-shortening services: the real destination is hidden.
var shorteners = map[string]bool{
	"bit.ly": true, "t.co": true, "tinyurl.com": true, "is.gd": true, "goo.gl": true,
	"ow.ly": true, "cutt.ly": true, "rebrand.ly": true, "x.gd": true, "t.ly": true,
	"shorturl.at": true, "buff.ly": true, "rb.gy": true, "v.gd": true, "s.id": true,
	"tiny.cc": true, "bl.ink": true, "lnkd.in": true, "urx.nu": true, "00m.in": true,
	"onl.bz": true, "qr.paps.jp": true, "u0u.biz": true,
}

// unusualTLDs are top-level domains that Japanese companies and public
// bodies hardly use but that smishing campaigns register in bulk.
var unusualTLDs = map[string]bool{
	"top": true, "xyz": true, "cn": true, "icu": true, "shop": true, "buzz": true,
	"cyou": true, "monster": true, "sbs": true, "cfd": true, "bond": true, "vip": true,
	"club": true, "online": true, "site": true, "work": true, "click": true, "link": true,
	"rest": true, "fun": true, "tk": true, "ml": true, "ga": true, "cf": true, "gq": true,
	"pw": true, "ru": true, "su": true, "live": true, "life": true, "store": true,
	"win": true, "bid": true, "loan": true, "date": true, "men": true, "mom": true,
	"lol": true, "quest": true, "beauty": true, "hair": true, "skin": true, "autos": true,
	"boats": true, "yachts": true, "today": true, "asia": true, "ltd": true, "cc": true,
	"ws": true, "info": true, "biz": true,
}

func tld(host string) string {
	if i := strings.LastIndexByte(host, '.'); i >= 0 {
		return host[i+1:]
	}
	return host
}

// homoglyphs maps letters that look like Latin ones, and digits people
// read as letters, to the Latin letter. It is a small hand-made subset of
// Unicode's confusables, enough for domain names.
var homoglyphs = map[rune]rune{
	// Cyrillic
	'а': 'a', 'в': 'b', 'е': 'e', 'ё': 'e', 'к': 'k', 'м': 'm', 'н': 'h', 'о': 'o', 'р': 'p',
	'с': 'c', 'т': 't', 'у': 'y', 'х': 'x', 'ѕ': 's', 'і': 'l', 'ї': 'l', 'ј': 'j', 'ԁ': 'd',
	'ӏ': 'l', 'һ': 'h', 'ԛ': 'q', 'ԝ': 'w', 'ո': 'n', 'ս': 'u', 'ց': 'g', 'ɡ': 'g',
	// Greek
	'α': 'a', 'β': 'b', 'ε': 'e', 'η': 'n', 'ι': 'l', 'κ': 'k', 'ν': 'v', 'ο': 'o', 'ρ': 'p',
	'τ': 't', 'υ': 'u', 'χ': 'x', 'ω': 'w', 'ϲ': 'c',
	// Latin look-alikes and digits
	'ı': 'l', 'i': 'l', '1': 'l', '|': 'l', 'ł': 'l', '0': 'o', 'ø': 'o', '3': 'e', '5': 's',
	'$': 's', '@': 'a',
}

// skeleton reduces a domain label to the letters a reader sees, so that
// amaz0n, аmazon (Cyrillic а), rnercari and paypa1 meet amazon, mercari
// and paypal. Hyphens and dots are dropped.
func skeleton(s string) string {
	var b strings.Builder
	for _, r := range norm.NFKD.String(strings.ToLower(s)) {
		if unicode.Is(unicode.Mn, r) || r == '-' || r == '.' || r == '_' {
			continue
		}
		if m, ok := homoglyphs[r]; ok {
			r = m
		}
		b.WriteRune(r)
	}
	return strings.NewReplacer("rn", "m", "vv", "w", "cl", "d").Replace(b.String())
}

// editDistance1 reports whether a and b differ by exactly one inserted,
// deleted or changed letter, or by two neighbours swapped.
func editDistance1(a, b string) bool {
	ra, rb := []rune(a), []rune(b)
	if len(ra) < len(rb) {
		ra, rb = rb, ra
	}
	switch len(ra) - len(rb) {
	case 0:
		var diff []int
		for i := range ra {
			if ra[i] != rb[i] {
				diff = append(diff, i)
			}
		}
		if len(diff) == 1 {
			return true
		}
		return len(diff) == 2 && diff[1] == diff[0]+1 && ra[diff[0]] == rb[diff[1]] && ra[diff[1]] == rb[diff[0]]
	case 1:
		i := 0
		for i < len(rb) && ra[i] == rb[i] {
			i++
		}
		return string(ra[i+1:]) == string(rb[i:])
	}
	return false
}
