package sheet

import (
	"bytes"
	"errors"
	"fmt"
	"os"

	"github.com/signintech/gopdf"
)

// FontPaths are where FindFont looks for IPAex Gothic (Debian package
// fonts-ipaexfont). gopdf reads TrueType files, not .ttc collections.
var FontPaths = []string{
	"/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
	"/usr/share/fonts/truetype/ipaexfont-gothic/ipaexg.ttf",
	"/usr/share/fonts/ipaexfont-gothic/ipaexg.ttf",
	"/usr/local/share/fonts/ipaexg.ttf",
}

// ErrNoFont means no Japanese TrueType font was found for the PDF.
var ErrNoFont = errors.New("no Japanese font for the PDF: install IPAex Gothic (Debian: apt-get install fonts-ipaexfont) or give --font FILE.ttf")

// FindFont reads the font at path, or, when path is empty, the first of
// FontPaths that exists.
func FindFont(path string) ([]byte, error) {
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("read font: %w", err)
		}
		return b, nil
	}
	for _, p := range FontPaths {
		if b, err := os.ReadFile(p); err == nil {
			return b, nil
		}
	}
	return nil, ErrNoFont
}

// Page geometry of the PDF, in points (A4).
const (
	pageW, pageH = 595.28, 841.89
	margin       = 50.0
	bodySize     = 10.5
	headSize     = 12.0
	titleSize    = 16.0
	leading      = 1.65
)

// pdfWriter lays out lines top to bottom, adding pages as needed.
type pdfWriter struct {
	pdf *gopdf.GoPdf
	y   float64
	err error
}

func (w *pdfWriter) font(size float64) {
	if w.err == nil {
		w.err = w.pdf.SetFont("jp", "", size)
	}
}

// line writes one line at x in the current font size.
func (w *pdfWriter) line(x float64, size float64, text string) {
	if w.err != nil {
		return
	}
	h := size * leading
	if w.y+h > pageH-margin {
		w.pdf.AddPage()
		w.y = margin
	}
	w.pdf.SetXY(x, w.y)
	w.err = w.pdf.Cell(nil, text)
	w.y += h
}

// para wraps text to the width left of x and writes it.
func (w *pdfWriter) para(x, size float64, text string) {
	w.font(size)
	if w.err != nil {
		return
	}
	measure := func(s string) float64 {
		n, err := w.pdf.MeasureTextWidth(s)
		if err != nil {
			w.err = err
		}
		return n
	}
	for _, l := range Wrap(text, pageW-margin-x, measure) {
		w.line(x, size, l)
	}
}

// PDF renders the sheet as an A4 PDF in the TrueType font ttf.
func (s *Sheet) PDF(ttf []byte) ([]byte, error) {
	pdf := new(gopdf.GoPdf)
	pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4})
	if err := pdf.AddTTFFontData("jp", ttf); err != nil {
		return nil, fmt.Errorf("sheet PDF: load font: %w", err)
	}
	pdf.SetInfo(gopdf.PdfInfo{Title: s.Title, Creator: "kakekomi"})
	pdf.AddPage()
	w := &pdfWriter{pdf: pdf, y: margin}
	w.para(margin, titleSize, s.Title)
	w.para(margin, bodySize, s.Made)
	for _, sec := range s.Sections {
		w.y += bodySize * 0.6
		w.para(margin, headSize, "■ "+sec.Title)
		for _, l := range sec.Lines {
			w.para(margin+bodySize, bodySize, l)
		}
	}
	if w.err != nil {
		return nil, fmt.Errorf("sheet PDF: %w", w.err)
	}
	var b bytes.Buffer
	if _, err := pdf.WriteTo(&b); err != nil {
		return nil, fmt.Errorf("sheet PDF: %w", err)
	}
	return b.Bytes(), nil
}
