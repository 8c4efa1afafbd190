package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sync"
)

// lineWindow is how many lines per worker a batch reads ahead of the line
// it writes: enough to keep every worker busy behind a long text, and a
// bound on memory however long the input.
const lineWindow = 16

// lineBatch runs a JSON Lines batch: it reads lines, turns each into the
// value written for it on several goroutines at once, and writes the
// values one a line, in input order.
type lineBatch struct {
	cmd     string // the command, for errors
	maxLine int    // the longest line read; a longer one stops the batch
	workers int
	// do returns the value written for line n (1-based), or nil for a line
	// that gets none, and whether the line failed. It is called on several
	// goroutines at once and must not keep raw.
	do func(n int, raw []byte) (out any, bad bool)
	// progress, when set, is called after each line written with the
	// lines read and failed so far.
	progress func(n, bad int)
}

// batchItem is one line on its way through the workers.
type batchItem struct {
	n    int
	raw  []byte
	done chan batchOut
}

type batchOut struct {
	data *bytes.Buffer // nil for a line with no output; back to outBuffers once written
	bad  bool
	err  error
}

// outBuffers recycles the encoded lines: a triage answer is some 15 KB.
var outBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// run processes in to out and returns the number of the last line written
// and how many lines failed.
func (b lineBatch) run(ctx context.Context, in io.Reader, out io.Writer) (n, bad int, err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	work := make(chan *batchItem)
	order := make(chan *batchItem, b.workers*lineWindow) // the window: reading waits when it is full
	for range b.workers {
		go func() {
			for it := range work {
				it.done <- b.process(it)
			}
		}()
	}
	readErr := make(chan error, 1)
	go func() {
		defer close(order)
		defer close(work)
		readErr <- b.read(ctx, in, order, work)
	}()

	w := bufio.NewWriter(out)
	for it := range order {
		o := <-it.done
		if o.data != nil {
			if o.err == nil {
				_, o.err = w.Write(o.data.Bytes())
			}
			outBuffers.Put(o.data)
		}
		if o.err != nil {
			return n, bad, fmt.Errorf("出力を書けませんでした: %w", o.err)
		}
		n = it.n
		if o.bad {
			bad++
		}
		if b.progress != nil {
			b.progress(n, bad)
		}
	}
	if err := <-readErr; err != nil {
		w.Flush()
		return n, bad, err
	}
	if err := w.Flush(); err != nil {
		return n, bad, fmt.Errorf("出力を書けませんでした: %w", err)
	}
	return n, bad, ctx.Err()
}

// read sends every non-empty line of in to order (to be written in turn)
// and work (to be processed), until in ends or ctx is done.
func (b lineBatch) read(ctx context.Context, in io.Reader, order, work chan<- *batchItem) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64*1024), b.maxLine)
	n := 0
	for sc.Scan() {
		n++
		if len(sc.Bytes()) == 0 {
			continue
		}
		it := &batchItem{n: n, raw: append([]byte(nil), sc.Bytes()...), done: make(chan batchOut, 1)}
		for _, ch := range []chan<- *batchItem{order, work} {
			select {
			case ch <- it:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	return lineError(b.cmd, sc.Err(), n+1, b.maxLine)
}

func (b lineBatch) process(it *batchItem) batchOut {
	v, bad := b.do(it.n, it.raw)
	if v == nil {
		return batchOut{bad: bad}
	}
	buf := outBuffers.Get().(*bytes.Buffer)
	buf.Reset()
	err := json.NewEncoder(buf).Encode(v)
	return batchOut{data: buf, bad: bad, err: err}
}
