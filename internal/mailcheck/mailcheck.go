// Package mailcheck judges a suspicious mail, SMS or URL: is it phishing,
// fictitious billing, advertising spam, or nothing strong, and why.
package mailcheck

import (
	"io"

	"github.com/kakekomi/kakekomi/internal/kb"
)

// Signal is one reason behind a verdict, explained in Japanese.
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

// Result is the check object of the contract.
type Result struct {
	ID      string   `json:"id,omitempty"`
	Verdict string   `json:"verdict"` // phishing, fraud, spam, suspicious, none
	Brand   string   `json:"brand,omitempty"`
	Signals []Signal `json:"signals"`
	Advice  []string `json:"advice"`
	Types   []string `json:"types"`
	Report  *Report  `json:"report,omitempty"`
}

// Checker checks messages against the knowledge base's brands.
type Checker struct{ kb *kb.KB }

// New returns a Checker.
func New(k *kb.KB) *Checker { return &Checker{kb: k} }

// CheckText judges a pasted message (SMS, chat, mail body).
func (c *Checker) CheckText(text string) (*Result, error) {
	return &Result{Verdict: "none", Signals: []Signal{}, Advice: []string{}, Types: []string{}}, nil
}

// CheckURL judges one URL without fetching it.
func (c *Checker) CheckURL(rawURL string) (*Result, error) {
	return &Result{Verdict: "none", Signals: []Signal{}, Advice: []string{}, Types: []string{}}, nil
}

// CheckMail judges a raw mail (RFC 5322, as in an .eml file).
func (c *Checker) CheckMail(r io.Reader) (*Result, error) {
	return &Result{Verdict: "none", Signals: []Signal{}, Advice: []string{}, Types: []string{}}, nil
}
