package workbook

import (
	"io"
	"runtime/metrics"
	"sync/atomic"
	"testing"
	"time"
)

// peakHeap samples the live heap while fn runs and returns its peak.
func peakHeap(fn func()) uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	fn()
	close(done)
	return peak.Load()
}

// BenchmarkResults10k writes a results workbook of 10,000 entries, 5
// judges each, 8 criteria, reporting the peak live heap.
func BenchmarkResults10k(b *testing.B) {
	r := sampleResults(10_000, 5, 8)
	var peak uint64
	b.ReportAllocs()
	for b.Loop() {
		peak = max(peak, peakHeap(func() {
			if err := WriteResults(io.Discard, r, "ja"); err != nil {
				b.Fatal(err)
			}
		}))
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
}
