package store

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kakekomi/kakekomi/internal/casefile"
)

// peakHeap runs fn and returns the most bytes of heap objects (live or not
// yet collected) it added while it ran, sampled every millisecond.
func peakHeap(fn func()) uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	runtime.GC()
	base := read()
	var peak atomic.Uint64
	record := func() {
		if v := read(); v > peak.Load() {
			peak.Store(v)
		}
	}
	done, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				record()
			}
		}
	}()
	fn()
	record()
	close(done)
	<-stopped
	return max(peak.Load(), base) - base
}

// BenchmarkExportImport measures the heap that exporting a case to a file
// and importing it back take, for cases of growing size: streamed a part
// at a time, it should not grow with the case.
func BenchmarkExportImport(b *testing.B) {
	ctx := context.Background()
	for _, files := range []int{2, 8} {
		b.Run(fmt.Sprintf("case=%dMB", files*casefile.MaxEvidenceBytes>>20), func(b *testing.B) {
			dir := b.TempDir()
			s, err := Open(ctx, filepath.Join(dir, DefaultFile))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			k, err := casefile.DeriveKeys(casefile.NewCode(), "")
			if err != nil {
				b.Fatal(err)
			}
			c, err := casefile.Open("通販サイトで代金を振り込んだのに商品が届かない", nil, nil, time.Now())
			if err != nil {
				b.Fatal(err)
			}
			if err := s.Create(ctx, k, casefile.Bundle{Case: c}, time.Now().Add(time.Hour)); err != nil {
				b.Fatal(err)
			}
			data := make([]byte, casefile.MaxEvidenceBytes)
			rng := rand.NewChaCha8([32]byte{})
			for i := range files {
				copy(data, "\x89PNG\r\n\x1a\n")
				rng.Read(data[8:])
				if _, err := s.AddEvidence(ctx, k, fmt.Sprintf("%d.png", i), data, ""); err != nil {
					b.Fatal(err)
				}
			}
			data = nil
			zipPath := filepath.Join(dir, "case.zip")
			var exportPeak, importPeak uint64
			for b.Loop() {
				exportPeak = max(exportPeak, peakHeap(func() {
					bundle, err := s.Bundle(ctx, k)
					if err != nil {
						b.Fatal(err)
					}
					f, err := os.Create(zipPath)
					if err != nil {
						b.Fatal(err)
					}
					defer f.Close()
					w := bufio.NewWriter(f)
					if err := casefile.WriteBundle(w, bundle, time.Now()); err != nil {
						b.Fatal(err)
					}
					if err := w.Flush(); err != nil {
						b.Fatal(err)
					}
				}))
				// Argon2id's 19 MiB are the keys', not the import's.
				k2, err := casefile.DeriveKeys(casefile.NewCode(), "")
				if err != nil {
					b.Fatal(err)
				}
				importPeak = max(importPeak, peakHeap(func() {
					f, err := os.Open(zipPath)
					if err != nil {
						b.Fatal(err)
					}
					defer f.Close()
					bundle, err := casefile.ReadBundle(f)
					if err != nil {
						b.Fatal(err)
					}
					if err := s.Create(ctx, k2, bundle, time.Now().Add(time.Hour)); err != nil {
						b.Fatal(err)
					}
				}))
				if err := s.Delete(ctx, k2); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(exportPeak)/(1<<20), "export-peak-heap-MB")
			b.ReportMetric(float64(importPeak)/(1<<20), "import-peak-heap-MB")
		})
	}
}
