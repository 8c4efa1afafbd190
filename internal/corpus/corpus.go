// Package corpus reads the labelled texts that the models are trained and
// measured on: trouble descriptions for triage and messages for the checker,
// as JSON Lines files labelled by the rules of the project's labelling
// guide.
package corpus

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
)

// Case is one labelled trouble description.
type Case struct {
	ID              string   `json:"id"`
	Text            string   `json:"text"`
	Primary         string   `json:"primary"` // a type id, or "none"
	Also            []string `json:"also"`
	DesksRequired   []string `json:"desks_required"`
	DesksAcceptable []string `json:"desks_acceptable,omitempty"`
	Emergency       bool     `json:"emergency"`
	Minor           bool     `json:"minor"`
	Register        string   `json:"register,omitempty"`
	SourceURL       string   `json:"source_url,omitempty"`
}

// None is the primary label of a text that shows no trouble.
const None = "none"

// MessageLabels are the labels of messages, as the labelling guide names
// them, in order.
var MessageLabels = []string{"fraud", "legit", "phishing", "spam"}

// Message is one labelled mail, SMS or pasted message.
type Message struct {
	ID        string `json:"id"`
	Label     string `json:"label"`   // phishing, fraud, spam or legit
	Channel   string `json:"channel"` // mail, sms or pasted
	From      string `json:"from"`
	Subject   string `json:"subject"`
	Body      string `json:"body"`
	Brand     string `json:"brand"`
	SourceURL string `json:"source_url,omitempty"`
}

// Set is the labelled lines of one file.
type Set[T any] struct {
	Name  string // the file's base name without .jsonl
	Items []T
}

// ReadFile reads one JSON Lines file of T, naming the line of any error.
func ReadFile[T any](name string) (Set[T], error) {
	f, err := os.Open(name)
	if err != nil {
		return Set[T]{}, fmt.Errorf("read corpus: %w", err)
	}
	defer f.Close()
	items, err := Read[T](f)
	if err != nil {
		return Set[T]{}, fmt.Errorf("read corpus %s: %w", name, err)
	}
	base := filepath.Base(name)
	return Set[T]{Name: base[:len(base)-len(filepath.Ext(base))], Items: items}, nil
}

// Read reads JSON Lines of T; blank lines are skipped and unknown fields
// refused, so that a misspelt label is not silently lost.
func Read[T any](r io.Reader) ([]T, error) {
	var out []T
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Bytes()
		if len(line) == 0 {
			continue
		}
		var item T
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&item); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		out = append(out, item)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// ReadDir reads every .jsonl file of dir, in name order.
func ReadDir[T any](dir string) ([]Set[T], error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if err != nil {
		return nil, fmt.Errorf("read corpus: %w", err)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("read corpus: no .jsonl files in %s", dir)
	}
	sort.Strings(names)
	var sets []Set[T]
	for _, name := range names {
		s, err := ReadFile[T](name)
		if err != nil {
			return nil, err
		}
		sets = append(sets, s)
	}
	return sets, nil
}

// All joins the items of sets.
func All[T any](sets []Set[T]) []T {
	var out []T
	for _, s := range sets {
		out = append(out, s.Items...)
	}
	return out
}
