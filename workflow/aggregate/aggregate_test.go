package aggregate

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

var rubric = []Criterion{{Key: "A", Weight: 2, Min: 1, Max: 5}, {Key: "B", Weight: 1, Min: 1, Max: 5}}

func sc(entry, judge int64, a, b float64) Score {
	return Score{Entry: entry, Judge: judge, Values: map[string]float64{"A": a, "B": b}}
}

// The example: totals are 2·A + B, in [3, 15]. Expected figures were
// computed by hand and checked with an independent script.
var example = Input{
	Rubric: rubric,
	Scores: []Score{
		sc(1, 10, 4, 3), sc(1, 20, 5, 5), sc(1, 30, 3, 2), // totals 11, 15, 8
		sc(2, 10, 2, 2), sc(2, 20, 4, 5), // 6, 13; judge 30 assigned but missing
		sc(3, 10, 3, 5), sc(3, 30, 4, 3), // 11, 11
		sc(5, 20, 4, 3), // 11
	},
	Assigned: map[int64][]int64{1: {10, 20, 30}, 2: {10, 20, 30}, 3: {10, 30}, 4: {20}, 5: {20}},
}

func near(a, b float64) bool { return math.Abs(a-b) < 5e-6 }

func TestAggregateByHand(t *testing.T) {
	got := Aggregate(example)
	byID := map[int64]Entry{}
	for _, e := range got {
		byID[e.Entry] = e
	}
	want := []struct {
		id                              int64
		count                           int
		mean, median, trimmed, sd, a, b float64
		missing                         []int64
	}{
		{1, 3, 11.333333, 11, 11, 3.511885, 4, 3.333333, nil},
		{2, 2, 9.5, 9.5, 9.5, 4.949747, 3, 3.5, []int64{30}},
		{3, 2, 11, 11, 11, 0, 3.5, 4, nil},
		{4, 0, 0, 0, 0, 0, 0, 0, []int64{20}},
		{5, 1, 11, 11, 11, 0, 4, 3, nil},
	}
	for _, w := range want {
		e := byID[w.id]
		if e.Count != w.count || !near(e.Mean, w.mean) || !near(e.Median, w.median) || !near(e.TrimmedMean, w.trimmed) ||
			!near(e.StdDev, w.sd) || !near(e.CriterionMeans["A"], w.a) || !near(e.CriterionMeans["B"], w.b) || !slices.Equal(e.Missing, w.missing) {
			t.Errorf("entry %d = %+v\nwant %+v", w.id, e, w)
		}
		if !near(e.Normalised, e.Mean) {
			t.Errorf("entry %d: normalisation off, but normalised %v ≠ mean %v", w.id, e.Normalised, e.Mean)
		}
	}
	// Ranking by mean: 1 (11.33), then 3 and 5 tied at 11, then 2; 4 unranked.
	var order []string
	for _, e := range got {
		order = append(order, fmt.Sprintf("%d:%d:%v", e.Entry, e.Rank, e.Tie))
	}
	if fmt.Sprint(order) != "[1:1:false 3:2:true 5:2:true 2:4:false 4:0:false]" {
		t.Fatalf("ranking = %v", order)
	}
}

// TestNormalisationByHand: the sample standard deviation (n−1) is used for
// the judges' z-scores and the overall spread (figures from an independent
// script with Python's statistics.stdev), and ranking by the normalised
// figure normalises whether or not Normalise is set.
func TestNormalisationByHand(t *testing.T) {
	for _, flag := range []bool{true, false} {
		in := example
		in.Normalise, in.RankBy = flag, ByNormalised
		checkNormalised(t, Aggregate(in))
	}
}

func checkNormalised(t *testing.T, got []Entry) {
	t.Helper()
	want := map[int64]float64{1: 11.551950, 2: 9.153874, 3: 12.525487, 5: 7.985428}
	for _, e := range got {
		if w, ok := want[e.Entry]; ok && !near(e.Normalised, w) {
			t.Errorf("entry %d normalised = %.6f, want %.6f", e.Entry, e.Normalised, w)
		}
		if e.Entry == 1 && !near(e.Mean, 11.333333) {
			t.Errorf("raw mean changed by normalisation: %v", e.Mean)
		}
	}
	// Judge 20 is lenient (15, 13, 11) and judge 10 harsh: normalised, entry 3
	// (scored by 10 and 30) overtakes entry 1.
	if got[0].Entry != 3 || got[1].Entry != 1 {
		t.Fatalf("normalised ranking starts %d, %d", got[0].Entry, got[1].Entry)
	}
}

func TestNormalisedStaysInRange(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var scores []Score
	for e := range int64(200) {
		for j := range int64(5) {
			scores = append(scores, sc(e, j, float64(1+r.IntN(5)), float64(1+r.IntN(5))))
		}
	}
	scores = append(scores, sc(999, 77, 5, 5)) // a judge with one score keeps its raw total
	for _, e := range Aggregate(Input{Rubric: rubric, Scores: scores, Normalise: true}) {
		if e.Normalised < 3 || e.Normalised > 15 {
			t.Fatalf("entry %d normalised %v outside [3, 15]", e.Entry, e.Normalised)
		}
		if e.Entry == 999 && e.Normalised != 15 {
			t.Fatalf("single-score judge normalised to %v", e.Normalised)
		}
	}
}

func TestRange(t *testing.T) {
	if lo, hi := Range(rubric); lo != 3 || hi != 15 {
		t.Fatalf("Range = %v, %v", lo, hi)
	}
}

// BenchmarkAggregate150k: 150,000 score rows (30,000 entries × 5 judges of 300, 8 criteria).
func BenchmarkAggregate150k(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	crit := make([]Criterion, 8)
	for i := range crit {
		crit[i] = Criterion{Key: fmt.Sprintf("c%d", i), Weight: float64(1 + i%3), Min: 1, Max: 10}
	}
	scores := make([]Score, 0, 150_000)
	for e := range int64(30_000) {
		for j := range int64(5) {
			v := make(map[string]float64, 8)
			for _, c := range crit {
				v[c.Key] = float64(1 + r.IntN(10))
			}
			scores = append(scores, Score{Entry: e, Judge: (e*5 + j) % 300, Values: v})
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		Aggregate(Input{Rubric: crit, Scores: scores, Normalise: true, RankBy: ByNormalised})
	}
}
