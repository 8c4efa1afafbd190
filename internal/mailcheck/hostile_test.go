package mailcheck

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jhillyerd/enmime/v2"
)

// nestedMail returns a mail of depth multipart sections, each inside the
// one before, around the text body, as an attacker builds to make a parser
// work hard.
func nestedMail(depth int, body string) []byte {
	var b bytes.Buffer
	b.WriteString("From: a@example.com\r\nSubject: nested\r\nContent-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n")
	for i := 1; i <= depth; i++ {
		fmt.Fprintf(&b, "--b%d\r\nContent-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n", i-1, i)
	}
	fmt.Fprintf(&b, "--b%d\r\nContent-Type: text/plain\r\n\r\n%s\r\n", depth, body)
	for i := depth; i >= 0; i-- {
		fmt.Fprintf(&b, "--b%d--\r\n", i)
	}
	return b.Bytes()
}

// sameBoundaryMail nests depth sections that all use one boundary, each
// opened by a boundary in the middle of a preamble line, where enmime looks
// for the first one and nowhere else: a build that a count of distinct
// boundaries would miss.
func sameBoundaryMail(depth int) []byte {
	var b bytes.Buffer
	b.WriteString("From: a@example.com\r\nSubject: nested\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n")
	for range depth {
		b.WriteString("xy--b \r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n")
	}
	b.WriteString("xy--b \r\nContent-Type: text/plain\r\n\r\nhello\r\n")
	return b.Bytes()
}

// flatMail returns a multipart mail of n small parts side by side.
func flatMail(n int) []byte {
	var b bytes.Buffer
	b.WriteString("From: a@example.com\r\nSubject: parts\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n")
	for range n {
		b.WriteString("--b\r\n\r\nx\r\n")
	}
	b.WriteString("--b--\r\n")
	return b.Bytes()
}

// headerMail returns a mail whose header holds the given fields.
func headerMail(fields ...string) []byte {
	return []byte("From: a@example.com\r\n" + strings.Join(fields, "\r\n") + "\r\n\r\nhello\r\n")
}

// TestMailLimits checks that a mail built to wear the parser out is
// refused with an error that says why, and that mail within the limits,
// however odd, is still read to its last part.
func TestMailLimits(t *testing.T) {
	c := newTestChecker(t)
	refused := []struct {
		name string
		raw  []byte
		want error
	}{
		{"20,000 nested sections", nestedMail(20000, "hello"), ErrTooDeep},
		{"one section too many", nestedMail(MaxSections, "hello"), ErrTooDeep},
		{"sections nested under one boundary", sameBoundaryMail(200), ErrTooDeep},
		{"100,000 parts", flatMail(100000), ErrTooManyParts},
		{"one part too many", flatMail(MaxParts), ErrTooManyParts},
		{"3 MB subject", headerMail("Subject: " + strings.Repeat("x", 3<<20)), ErrHeaderTooLarge},
		{"subject folded over many lines", headerMail("Subject: x" + strings.Repeat("\r\n x", MaxHeaderFieldBytes/3)), ErrHeaderTooLarge},
		{"subject continued past skipped lines", headerMail("Subject: x" + strings.Repeat("\r\n(bad\x01: y\r\n "+strings.Repeat("x", 1000), 40)), ErrHeaderTooLarge},
		{"many small fields", headerMail(strings.Repeat("X-Filler: "+strings.Repeat("x", 100)+"\r\n", MaxHeaderBytes/100) + "Subject: x"), ErrHeaderTooLarge},
	}
	for _, tt := range refused {
		r, err := c.CheckMail(bytes.NewReader(tt.raw), Options{})
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: got %v (result %v), want %v", tt.name, err, r != nil, tt.want)
		}
		if !OverLimit(err) || ErrorText(err, "ja") == "" || ErrorText(err, "en") == "" {
			t.Errorf("%s: %v is not over a limit, or has no words for the person", tt.name, err)
		}
	}

	lure := "アカウントを停止しました。 https://amaz0n-jp.top/login"
	readLure := func(r *Result) bool { return len(r.Links) == 1 && r.Links[0].Domain == "amaz0n-jp.top" }
	subject := strings.Repeat("お知らせ", 2000)
	accepted := []struct {
		name string
		raw  []byte
		read func(*Result) bool // whether the part that matters was read
	}{
		{"sections up to the limit", nestedMail(MaxSections-1, lure), readLure},
		{"parts up to the limit", bytes.Replace(flatMail(MaxParts-20), []byte("x\r\n--b--"), []byte("x\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"+lure+"\r\n--b--"), 1), readLure},
		{"long subject and many hops", headerMail("Subject: "+subject, strings.Repeat("Received: from mx.example.com by mx2.example.com; Mon, 1 Jan 2026 00:00:00 +0900\r\n", 99)+"Received: x"),
			func(r *Result) bool { return r.Mail.Subject == subject && r.Mail.Received == 100 }},
	}
	for _, tt := range accepted {
		r, err := c.CheckMail(bytes.NewReader(tt.raw), Options{})
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
		} else if !tt.read(r) {
			t.Errorf("%s: not read to the end: links %+v, mail %.80v", tt.name, r.Links, r.Mail)
		}
	}
}

// TestLongAttachmentName checks that an attachment's name in the result is
// cut to a length a page can show, keeping the end that says it runs.
func TestLongAttachmentName(t *testing.T) {
	c := newTestChecker(t)
	name := strings.Repeat("請求書", 1000) + ".pdf.exe"
	raw := "From: a@example.com\r\nSubject: invoice\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n" +
		"--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n" +
		"--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"" + name + "\"\r\n\r\nMZ\r\n--b--\r\n"
	r, err := c.CheckMail(strings.NewReader(raw), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Attachments) != 1 || len(r.Attachments[0].Name) > maxNameBytes || !strings.HasSuffix(r.Attachments[0].Name, "書.pdf.exe") {
		t.Fatalf("attachments %+v", r.Attachments)
	}
	if !hasSignal(r, "risky_attachment") {
		t.Errorf("no risky_attachment signal: %+v", r.Signals)
	}
}

// mimeShape returns the depth and the number of parts of the tree enmime
// reads from raw, and the root part with the mail's header.
func mimeShape(raw []byte) (depth, parts int, root *enmime.Part) {
	root, err := enmime.NewParser(enmime.SkipMalformedParts(true)).ReadParts(bytes.NewReader(raw))
	if err != nil {
		return 0, 0, nil
	}
	var walk func(p *enmime.Part, d int)
	walk = func(p *enmime.Part, d int) {
		for ; p != nil; p = p.NextSibling {
			parts++
			depth = max(depth, d)
			walk(p.FirstChild, d+1)
		}
	}
	walk(root, 1)
	return depth, parts, root
}

// FuzzMailLimits checks the bounds the limits rest on, whatever the mail:
// enmime reads parts nested no deeper than the sectionHeaders allow, no
// more parts than partsBound, and no header field or block longer than
// headerSize measures.
func FuzzMailLimits(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "eml", "*.eml"))
	for _, name := range files[:min(len(files), 8)] {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(nestedMail(3, "hello"))
	f.Add(sameBoundaryMail(3))
	f.Add(flatMail(5))
	f.Add([]byte("Content-Type: multipart/mixed\r\n\r\n--\r\n\r\n--\r\nx\r\n"))
	f.Add([]byte("Subject: a\r\n b\r\nbad line\r\n\tc\r\nContent-type : multipart/x; BOUNDARY*0=a; boundary*1=b\r\n\r\nq--ab \rContent-Type: text/plain\r\n\r\nx\r--ab--"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		depth, parts, root := mimeShape(raw)
		if root == nil {
			return
		}
		sections := sectionHeaders(raw)
		if depth > sections+2 {
			t.Fatalf("enmime read parts %d deep from %d section headers", depth, sections)
		}
		if bound := partsBound(raw, sections); parts > bound {
			t.Fatalf("enmime read %d parts, more than the bound %d", parts, bound)
		}
		total, longest := headerSize(raw)
		sum := 0
		for k, vs := range root.Header {
			for _, v := range vs {
				if len(v) > longest {
					t.Fatalf("enmime read a %s field of %d bytes, longer than %d", k, len(v), longest)
				}
				sum += len(k) + len(v)
			}
		}
		if sum > total {
			t.Fatalf("enmime read a header of %d bytes, more than %d", sum, total)
		}
	})
}
