// Package mailcheck judges a suspicious mail, SMS or URL: is it phishing,
// fictitious billing, advertising spam, or nothing strong, and why.
//
// Nothing is fetched and nothing is stored: a message is read, judged from
// its own words, senders and links against the knowledge base's brands, and
// forgotten. Every reason is a Signal written in plain Japanese or English
// (Options.Lang), so that the person who received the message can follow it.
package mailcheck

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/kakekomi/kakekomi/internal/classify"
	"github.com/kakekomi/kakekomi/internal/kb"
	"github.com/kakekomi/kakekomi/internal/phrase"
)

// Limits on what is read. A real mail with attachments fits easily in
// MaxMailBytes; anything larger is refused rather than parsed.
const (
	MaxMailBytes = 10 << 20
	MaxTextBytes = 256 << 10
	MaxURLBytes  = 8 << 10
)

// Input errors. Callers show them as bad input (exit 2, HTTP 400, or 413
// for those OverLimit reports).
var (
	ErrEmpty          = errors.New("the message is empty: paste the whole message or give the mail file")
	ErrTooLarge       = fmt.Errorf("the message is too large (mails up to %d MiB, texts up to %d KiB)", MaxMailBytes>>20, MaxTextBytes>>10)
	ErrHeaderTooLarge = fmt.Errorf("the mail's header is too large (up to %d KiB, each field up to %d KiB)", MaxHeaderBytes>>10, MaxHeaderFieldBytes>>10)
	ErrTooDeep        = fmt.Errorf("the mail nests its parts too deeply (up to %d multipart sections)", MaxSections)
	ErrTooManyParts   = fmt.Errorf("the mail has too many parts (up to %d)", MaxParts)
	ErrNotUTF8        = errors.New("the text is not valid UTF-8")
	ErrBadURL         = errors.New("not a web address: write it like https://example.com/page")
	ErrNotMail        = errors.New("not a mail")
)

// ErrorCode names an input error of the checker for programs, the same on
// the command line and in the API: "empty", "too_large",
// "header_too_large", "too_deep", "too_many_parts", "invalid_utf8",
// "bad_url" or "not_mail"; "internal" for anything else.
func ErrorCode(err error) string {
	switch {
	case errors.Is(err, ErrEmpty):
		return "empty"
	case errors.Is(err, ErrTooLarge):
		return "too_large"
	case errors.Is(err, ErrHeaderTooLarge):
		return "header_too_large"
	case errors.Is(err, ErrTooDeep):
		return "too_deep"
	case errors.Is(err, ErrTooManyParts):
		return "too_many_parts"
	case errors.Is(err, ErrNotUTF8):
		return "invalid_utf8"
	case errors.Is(err, ErrBadURL):
		return "bad_url"
	case errors.Is(err, ErrNotMail):
		return "not_mail"
	}
	return "internal"
}

// OverLimit reports whether err refuses a message for its size or build,
// which HTTP answers with 413.
func OverLimit(err error) bool {
	return errors.Is(err, ErrTooLarge) || errors.Is(err, ErrHeaderTooLarge) || errors.Is(err, ErrTooDeep) || errors.Is(err, ErrTooManyParts)
}

// errorTexts say what was wrong with the input and what to do, for the
// person, by ErrorCode.
var errorTexts = map[string]tr{
	"empty": {"メッセージが空です。メッセージ全体を貼り付けるか、メールのファイルを指定してください。",
		"The message is empty: paste the whole message or give the mail file."},
	"too_large": {fmt.Sprintf("メッセージが大きすぎます（メールは %d MiB まで、文章は %d KiB まで）。", MaxMailBytes>>20, MaxTextBytes>>10),
		fmt.Sprintf("The message is too large (mails up to %d MiB, texts up to %d KiB).", MaxMailBytes>>20, MaxTextBytes>>10)},
	"header_too_large": {"メールのヘッダー（件名や差出人などの欄）が長すぎるため、調べられません。普通のメールにはない作りで、それ自体があやしい印です。本文だけを貼り付けて調べることはできます。",
		"The mail's header (subject, sender and the like) is too long to check. Real mail is not built like this, which is itself a warning sign. You can still paste the text of the mail to check it."},
	"too_deep": {"メールの部品の入れ子が深すぎるため、調べられません。普通のメールにはない作りで、それ自体があやしい印です。添付ファイルは開かず、本文だけを貼り付けて調べることはできます。",
		"The mail nests its parts too deeply to check. Real mail is not built like this, which is itself a warning sign. Do not open its attachments; you can still paste the text of the mail to check it."},
	"too_many_parts": {fmt.Sprintf("メールの部品（本文や添付ファイル）が多すぎるため（%d 個まで）、調べられません。普通のメールにはない作りで、それ自体があやしい印です。本文だけを貼り付けて調べることはできます。", MaxParts),
		fmt.Sprintf("The mail has too many parts (texts and attachments; up to %d) to check. Real mail is not built like this, which is itself a warning sign. You can still paste the text of the mail to check it.", MaxParts)},
	"invalid_utf8": {"文字を読み取れませんでした。UTF-8 の文章にしてください。",
		"The text could not be read: give it as UTF-8."},
	"bad_url": {"URL（ウェブのアドレス）として読み取れません。https://example.com/page のように書いてください。",
		"Not a web address: write it like https://example.com/page."},
	"not_mail": {"メールのファイルとして読み取れません。メールソフトで「名前を付けて保存」した .eml ファイル（元のソース）を指定するか、文章を貼り付けて調べてください。",
		"This is not a mail file: save the mail as .eml (raw source) from your mail program, or paste its text to check it."},
}

// ErrorText explains an input error of the checker to the person, in lang
// ("ja" unless "en"), and says what to do; "" for an error that is not the
// input's.
func ErrorText(err error, lang string) string {
	if t, ok := errorTexts[ErrorCode(err)]; ok {
		return t.In(lang)
	}
	return ""
}

// Signal is one reason behind a verdict, explained in the language asked for.
type Signal struct {
	ID     string  `json:"id"`
	Text   string  `json:"text"`
	Weight float64 `json:"weight"`
}

// Report is a ready report to send to a desk.
type Report struct {
	To      string `json:"to"`
	Subject string `json:"subject"`
	Body    string `json:"body"`
}

// Link is a web address found in the message, written safely
// (hxxps://example[.]com) so that nobody opens it by mistake.
type Link struct {
	URL    string `json:"url"`            // defanged
	Domain string `json:"domain"`         // registrable domain, e.g. example.com
	Text   string `json:"text,omitempty"` // the words shown for the link in an HTML mail
}

// Attachment is a file attached to a mail. It is never opened or run.
type Attachment struct {
	Name   string `json:"name"`
	Type   string `json:"type"`
	Size   int    `json:"size"`
	SHA256 string `json:"sha256"`
}

// Mail summarises the headers of a checked mail.
type Mail struct {
	Subject    string `json:"subject"`
	FromName   string `json:"from_name"`
	FromAddr   string `json:"from_address"`
	ReplyTo    string `json:"reply_to,omitempty"`
	ReturnPath string `json:"return_path,omitempty"`
	Date       string `json:"date,omitempty"`
	Received   int    `json:"received_hops"`
	SPF        string `json:"spf,omitempty"`
	DKIM       string `json:"dkim,omitempty"`
	DMARC      string `json:"dmarc,omitempty"`
}

// Result is the check object of the contract.
type Result struct {
	ID          string       `json:"id,omitempty"`
	Verdict     string       `json:"verdict"` // phishing, fraud, spam, suspicious, none
	Brand       string       `json:"brand,omitempty"`
	BrandName   string       `json:"brand_name,omitempty"` // in the language asked for
	Signals     []Signal     `json:"signals"`
	Advice      []string     `json:"advice"`
	Types       []string     `json:"types"`
	Report      *Report      `json:"report,omitempty"` // always in Japanese, for a Japanese desk
	Links       []Link       `json:"links,omitempty"`
	Phones      []string     `json:"phones,omitempty"`
	Attachments []Attachment `json:"attachments,omitempty"`
	Mail        *Mail        `json:"mail,omitempty"`
}

// Verdicts.
const (
	Phishing   = "phishing"
	Fraud      = "fraud"
	Spam       = "spam"
	Suspicious = "suspicious"
	None       = "none"
)

// Checker checks messages against the knowledge base's brands. It is safe
// for use by several goroutines.
type Checker struct {
	brands  *brandIndex
	phrases *phrase.Set // of the groups
	groups  []*phraseGroup
	denials []string             // folded
	texts   map[string]localized // signal id -> its text, see signalTexts
	content *classify.Model      // nil: the rules alone judge
}

// New returns a Checker for the brands, the phrases and the message model
// of k.
func New(k *kb.KB) *Checker {
	c := &Checker{brands: newBrandIndex(k.Brands), denials: foldAll(k.MessageDenials),
		texts: make(map[string]localized, len(signalTexts)+len(k.MessagePhrases)), content: k.MessageModel}
	c.phrases, c.groups = newPhrases(k.MessagePhrases)
	for id, t := range signalTexts {
		c.texts[id] = t
	}
	for _, g := range k.MessagePhrases {
		c.texts[g.ID] = g.Text
	}
	return c
}

// CheckText judges a pasted message (SMS, chat, mail body).
func (c *Checker) CheckText(text string, o Options) (*Result, error) {
	m, err := readText(text)
	if err != nil {
		return nil, err
	}
	return c.judge(m, o), nil
}

// readText takes a pasted message as the checks read it.
func readText(text string) (*message, error) {
	if len(text) > MaxTextBytes {
		return nil, ErrTooLarge
	}
	if !utf8.ValidString(text) {
		return nil, ErrNotUTF8
	}
	if strings.TrimSpace(text) == "" {
		return nil, ErrEmpty
	}
	return &message{kind: "text", body: text, links: textLinks(text)}, nil
}

// CheckURL judges one URL without fetching it.
func (c *Checker) CheckURL(rawURL string, o Options) (*Result, error) {
	rawURL = strings.TrimSpace(rawURL)
	if rawURL == "" {
		return nil, ErrEmpty
	}
	if len(rawURL) > MaxURLBytes {
		return nil, ErrTooLarge
	}
	l, ok := parseLink(rawURL, "")
	if !ok {
		return nil, ErrBadURL
	}
	return c.judge(&message{kind: "url", links: []link{l}}, o), nil
}

// CheckMail judges a raw mail (RFC 5322, as in an .eml file) of at most
// MaxMailBytes.
func (c *Checker) CheckMail(r io.Reader, o Options) (*Result, error) {
	m, err := readMail(r)
	if err != nil {
		return nil, err
	}
	return c.judge(m, o), nil
}
