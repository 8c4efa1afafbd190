// Package casefile is the case file a person keeps after the plan: what
// happened when, who the other side is, the money, what they typed where,
// the evidence, the desks contacted and the steps done. It holds the domain
// types and rules; storage lives in internal/store and never sees a case in
// the clear.
package casefile

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kakekomi/kakekomi/internal/triage"
)

// Errors a caller may test for with errors.Is.
var (
	ErrNotFound   = errors.New("no case with this code (or it has expired)")
	ErrBadCode    = errors.New("a case code is 20 letters and digits, like ABCDE-FGHJK-MNPQR-STVWX")
	ErrPassphrase = errors.New("the passphrase is missing or wrong")
	ErrInvalid    = errors.New("invalid case data")
	ErrTooLarge   = errors.New("too large")
	// ErrEmptyFile and ErrFileType refuse an evidence file; both are
	// ErrInvalid too.
	ErrEmptyFile = fmt.Errorf("%w: empty file", ErrInvalid)
	ErrFileType  = fmt.Errorf("%w: a kind of file that is not kept", ErrInvalid)
)

// Limits on what a case holds, so that one case cannot fill the store.
const (
	MaxFieldRunes    = 2000     // one text field
	MaxEntries       = 500      // entries of each list
	MaxEvidenceBytes = 20 << 20 // one evidence file
	MaxCaseBytes     = 200 << 20
	DefaultTTL       = 180 * 24 * time.Hour
)

// Case is one person's case file.
type Case struct {
	Created     time.Time         `json:"created"`
	Updated     time.Time         `json:"updated"`
	Description string            `json:"description"`
	Answers     map[string]string `json:"answers,omitempty"`
	Types       []Type            `json:"types"`
	Emergency   bool              `json:"emergency,omitempty"`
	KBVersion   string            `json:"kb_version,omitempty"`
	Timeline    []Event           `json:"timeline,omitempty"`
	Parties     []Party           `json:"parties,omitempty"`
	Payments    []Payment         `json:"payments,omitempty"`
	Entered     []Entered         `json:"entered,omitempty"`
	Evidence    []Evidence        `json:"evidence,omitempty"`
	Progress    []Progress        `json:"progress,omitempty"`
	Steps       []Step            `json:"steps,omitempty"`
	Request     string            `json:"request,omitempty"` // what the person asks the desk for
}

// TypeIDs returns the ids of the case's trouble types.
func (c *Case) TypeIDs() []string {
	ids := make([]string, len(c.Types))
	for i, t := range c.Types {
		ids[i] = t.ID
	}
	return ids
}

// Type is a trouble type named by triage.
type Type struct {
	ID    string `json:"id"`
	Label string `json:"label"`
}

// Event is one line of the timeline.
type Event struct {
	At   time.Time `json:"at"`
	What string    `json:"what"`
}

// Party is the other side: a seller, a site, a caller, a poster.
type Party struct {
	Name    string   `json:"name,omitempty"`
	URL     string   `json:"url,omitempty"`
	Account string   `json:"account,omitempty"` // bank, branch, number, holder
	Phone   string   `json:"phone,omitempty"`
	Email   string   `json:"email,omitempty"`
	Address string   `json:"address,omitempty"`
	SNS     []string `json:"sns,omitempty"`
}

// Payment is money that went to the other side.
type Payment struct {
	AmountJPY int64     `json:"amount_jpy"`
	At        time.Time `json:"at"`
	Method    string    `json:"method,omitempty"`  // bank transfer, card, e-money, gift card...
	Account   string    `json:"account,omitempty"` // where it went
}

// Entered records what the person typed where: the facts a bank or card
// company asks for. It never holds the secret itself, only its kind.
type Entered struct {
	Where string    `json:"where"` // the site or form
	What  []string  `json:"what"`  // Kinds of data, e.g. "card", "password"
	At    time.Time `json:"at,omitempty"`
}

// Kinds of data a person may have typed, for Entered.What.
var EnteredKinds = map[string]string{
	"card":     "クレジットカード番号",
	"cvc":      "カードの裏の3けたの番号",
	"password": "パスワード",
	"pin":      "暗証番号",
	"otp":      "確認コード（ワンタイムパスワード）",
	"id":       "ID・ログイン名",
	"address":  "住所",
	"phone":    "電話番号",
	"mynumber": "マイナンバー",
	"bank":     "銀行口座の情報",
	"pin2":     "第二暗証番号",
}

// Evidence describes one file kept with the case. The bytes are stored
// apart, sealed with the case's key.
type Evidence struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Type     string    `json:"type"` // sniffed media type
	Size     int64     `json:"size"`
	SHA256   string    `json:"sha256"`
	Received time.Time `json:"received"`
	Note     string    `json:"note,omitempty"`
}

// Progress is one contact with a desk.
type Progress struct {
	At        time.Time `json:"at"`
	Desk      string    `json:"desk"` // desk id or name
	Reference string    `json:"reference,omitempty"`
	Result    string    `json:"result,omitempty"`
	Next      string    `json:"next,omitempty"`
}

// Step is a step of the plan and whether it is done.
type Step struct {
	ID   string    `json:"id"`
	Text string    `json:"text"`
	Desk string    `json:"desk,omitempty"`
	Done time.Time `json:"done,omitzero"`
}

// Open starts a case from a description, its triage result (types, plan
// steps, answered questions) and the answers given, at now.
func Open(description string, r *triage.Result, answers map[string]string, now time.Time) (*Case, error) {
	c := &Case{Created: now, Updated: now, Description: description, Answers: answers}
	if r != nil {
		c.KBVersion = r.KBVersion
		c.Emergency = r.Emergency.Active
		for _, t := range r.Types {
			c.Types = append(c.Types, Type{ID: t.ID, Label: t.Label})
		}
		// Answers given to triage's questions belong to the facts too.
		for _, q := range r.Questions {
			if q.Answer != "" && !q.Assumed {
				if c.Answers == nil {
					c.Answers = map[string]string{}
				}
				if _, ok := c.Answers[q.ID]; !ok {
					c.Answers[q.ID] = q.Answer
				}
			}
		}
		for _, s := range r.Steps {
			c.Steps = append(c.Steps, Step{ID: s.ID, Text: s.Text, Desk: s.Desk})
		}
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// Validate checks the limits and required fields of a case.
func (c *Case) Validate() error {
	var errs []error
	field := func(name, s string) {
		if !utf8.ValidString(s) {
			errs = append(errs, fmt.Errorf("%s: not valid UTF-8", name))
		} else if utf8.RuneCountInString(s) > MaxFieldRunes {
			errs = append(errs, fmt.Errorf("%s: longer than %d characters", name, MaxFieldRunes))
		}
	}
	count := func(name string, n int) {
		if n > MaxEntries {
			errs = append(errs, fmt.Errorf("%s: more than %d entries", name, MaxEntries))
		}
	}
	if strings.TrimSpace(c.Description) == "" {
		errs = append(errs, errors.New("description: empty"))
	}
	if !utf8.ValidString(c.Description) || utf8.RuneCountInString(c.Description) > triage.MaxTextRunes {
		errs = append(errs, fmt.Errorf("description: not valid UTF-8 or longer than %d characters", triage.MaxTextRunes))
	}
	field("request", c.Request)
	count("timeline", len(c.Timeline))
	count("parties", len(c.Parties))
	count("payments", len(c.Payments))
	count("entered", len(c.Entered))
	count("evidence", len(c.Evidence))
	count("progress", len(c.Progress))
	count("steps", len(c.Steps))
	for i, e := range c.Timeline {
		if strings.TrimSpace(e.What) == "" {
			errs = append(errs, fmt.Errorf("timeline %d: empty", i+1))
		}
		field("timeline", e.What)
	}
	for i, p := range c.Parties {
		if p.Name+p.URL+p.Account+p.Phone+p.Email+p.Address == "" && len(p.SNS) == 0 {
			errs = append(errs, fmt.Errorf("party %d: empty", i+1))
		}
		for _, s := range append([]string{p.Name, p.URL, p.Account, p.Phone, p.Email, p.Address}, p.SNS...) {
			field("party", s)
		}
	}
	for i, p := range c.Payments {
		if p.AmountJPY <= 0 || p.AmountJPY > 1e12 {
			errs = append(errs, fmt.Errorf("payment %d: amount must be between 1 and 10^12 yen", i+1))
		}
		field("payment", p.Method)
		field("payment", p.Account)
	}
	for i, e := range c.Entered {
		field("entered", e.Where)
		for _, k := range e.What {
			if _, ok := EnteredKinds[k]; !ok {
				errs = append(errs, fmt.Errorf("entered %d: unknown kind %q", i+1, k))
			}
		}
	}
	var total int64
	ids := make(map[string]bool, len(c.Evidence))
	for i, e := range c.Evidence {
		if !isHex(e.ID, 16) || !isHex(e.SHA256, 64) || e.Size < 0 || e.Size > MaxEvidenceBytes {
			errs = append(errs, fmt.Errorf("evidence %d: bad id, hash or size", i+1))
		}
		if ids[e.ID] {
			errs = append(errs, fmt.Errorf("evidence %d: id repeated", i+1))
		}
		ids[e.ID] = true
		field("evidence", e.Name)
		field("evidence", e.Note)
		total += e.Size
	}
	if total > MaxCaseBytes {
		errs = append(errs, fmt.Errorf("evidence: more than %d bytes in all", MaxCaseBytes))
	}
	for _, p := range c.Progress {
		for _, s := range []string{p.Desk, p.Reference, p.Result, p.Next} {
			field("progress", s)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return nil
}

// MarkStep ticks off (done) or clears the plan step with the id.
func (c *Case) MarkStep(id string, done bool, now time.Time) error {
	i := slices.IndexFunc(c.Steps, func(s Step) bool { return s.ID == id })
	if i < 0 {
		return fmt.Errorf("%w: no step %q in this case's plan", ErrInvalid, id)
	}
	c.Steps[i].Done = time.Time{}
	if done {
		c.Steps[i].Done = now
	}
	return nil
}

// SortTimeline orders the timeline by time, keeping the order of equal times.
func (c *Case) SortTimeline() {
	slices.SortStableFunc(c.Timeline, func(a, b Event) int { return a.At.Compare(b.At) })
}

// TotalJPY is the money paid to the other side in all.
func (c *Case) TotalJPY() int64 {
	var n int64
	for _, p := range c.Payments {
		n += p.AmountJPY
	}
	return n
}

// isHex reports whether s is n lower-case hexadecimal digits.
func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, r := range s {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f') {
			return false
		}
	}
	return true
}
