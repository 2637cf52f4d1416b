// Package aggregate turns judges' rubric scores into per-entry figures and
// a ranking. It is pure (no I/O) so that the API, the results workbook and
// the decision preview compute exactly the same numbers.
//
// Definitions:
//   - a judge's total for an entry is the weighted sum Σ weight·value over
//     the rubric's criteria; its range is [Σ weight·min, Σ weight·max];
//   - per entry: count, mean, median, trimmed mean (the single highest and
//     lowest totals dropped when there are at least three: olympic scoring),
//     standard deviation (sample, n−1; 0 below two scores) as disagreement,
//     and per-criterion means;
//   - normalised (optional, always beside the raw figures; always on when
//     ranking by it): each judge's totals become z-scores over the entries
//     that judge scored, rescaled to the mean and standard deviation of all
//     totals and clamped to the
//     total's range, so harsh and lenient judges weigh alike; a judge with
//     fewer than two scores or no spread keeps raw totals;
//   - every standard deviation (spread, the z-scores' judge deviation, the
//     overall deviation) is the sample one, n−1, and 0 below two values;
//   - ranks use competition ranking (1, 1, 3): equal figures share a rank
//     and are flagged as ties.
package aggregate

import (
	"math"
	"slices"
	"sort"
)

// Criterion is one rubric line.
type Criterion struct {
	Key      string
	Weight   float64
	Min, Max float64
}

// Score is one judge's submitted values for one entry, by criterion key.
type Score struct {
	Entry  int64
	Judge  int64
	Values map[string]float64
}

// Entry is an entry's aggregate.
type Entry struct {
	Entry          int64
	Count          int
	Totals         map[int64]float64 // judge → weighted total
	Mean           float64
	Median         float64
	TrimmedMean    float64
	StdDev         float64
	CriterionMeans map[string]float64
	Normalised     float64 // mean of the judges' normalised totals; equals Mean when normalisation is off
	Missing        []int64 // assigned judges without a submitted score
	Rank           int
	Tie            bool
}

// Measure selects the figure a ranking uses.
type Measure string

// The measures.
const (
	ByMean        Measure = "mean"
	ByNormalised  Measure = "normalised"
	ByMedian      Measure = "median"
	ByTrimmedMean Measure = "trimmed_mean"
)

// Value returns the entry's figure for m.
func (e *Entry) Value(m Measure) float64 {
	switch m {
	case ByNormalised:
		return e.Normalised
	case ByMedian:
		return e.Median
	case ByTrimmedMean:
		return e.TrimmedMean
	}
	return e.Mean
}

// Input is what to aggregate.
type Input struct {
	Rubric    []Criterion
	Scores    []Score
	Assigned  map[int64][]int64 // entry → judges assigned; entries without scores still appear
	Normalise bool
	RankBy    Measure
}

// Range is the range of a judge's total under the rubric.
func Range(rubric []Criterion) (lo, hi float64) {
	for _, c := range rubric {
		lo += c.Weight * c.Min
		hi += c.Weight * c.Max
	}
	return lo, hi
}

// Total is a judge's weighted total for one set of values.
func Total(rubric []Criterion, values map[string]float64) float64 {
	t := 0.0
	for _, c := range rubric {
		t += c.Weight * values[c.Key]
	}
	return t
}

// Aggregate computes every entry's figures and ranks them, best first.
func Aggregate(in Input) []Entry {
	byEntry := map[int64]*Entry{}
	order := []int64{}
	get := func(id int64) *Entry {
		e, ok := byEntry[id]
		if !ok {
			e = &Entry{Entry: id, Totals: map[int64]float64{}, CriterionMeans: map[string]float64{}}
			byEntry[id] = e
			order = append(order, id)
		}
		return e
	}
	for id := range in.Assigned {
		get(id)
	}
	// Per judge totals, for normalisation.
	type judged struct {
		entry int64
		total float64
	}
	byJudge := map[int64][]judged{}
	var all []float64
	sums := map[int64]map[string]float64{}
	for _, s := range in.Scores {
		e := get(s.Entry)
		t := Total(in.Rubric, s.Values)
		e.Totals[s.Judge] = t
		byJudge[s.Judge] = append(byJudge[s.Judge], judged{s.Entry, t})
		all = append(all, t)
		cs := sums[s.Entry]
		if cs == nil {
			cs = map[string]float64{}
			sums[s.Entry] = cs
		}
		for _, c := range in.Rubric {
			cs[c.Key] += s.Values[c.Key]
		}
	}
	normalised := map[int64]map[int64]float64{} // entry → judge → normalised total
	if in.Normalise || in.RankBy == ByNormalised {
		lo, hi := Range(in.Rubric)
		mu, sigma := meanStd(all)
		for judge, js := range byJudge {
			totals := make([]float64, len(js))
			for i, j := range js {
				totals[i] = j.total
			}
			m, s := meanStd(totals)
			for _, j := range js {
				v := j.total
				if len(js) >= 2 && s > 0 {
					v = clamp(mu+(j.total-m)/s*sigma, lo, hi)
				}
				if normalised[j.entry] == nil {
					normalised[j.entry] = map[int64]float64{}
				}
				normalised[j.entry][judge] = v
			}
		}
	}
	out := make([]Entry, 0, len(order))
	slices.Sort(order)
	for _, id := range order {
		e := byEntry[id]
		totals := make([]float64, 0, len(e.Totals))
		for _, t := range e.Totals {
			totals = append(totals, t)
		}
		sort.Float64s(totals)
		e.Count = len(totals)
		if e.Count > 0 {
			e.Mean, e.StdDev = meanStd(totals)
			e.Median = median(totals)
			e.TrimmedMean = e.Mean
			if e.Count >= 3 {
				e.TrimmedMean, _ = meanStd(totals[1 : len(totals)-1])
			}
			for k, v := range sums[id] {
				e.CriterionMeans[k] = v / float64(e.Count)
			}
		}
		e.Normalised = e.Mean
		if n := normalised[id]; len(n) > 0 {
			sum := 0.0
			for _, v := range n {
				sum += v
			}
			e.Normalised = sum / float64(len(n))
		}
		for _, j := range in.Assigned[id] {
			if _, ok := e.Totals[j]; !ok {
				e.Missing = append(e.Missing, j)
			}
		}
		slices.Sort(e.Missing)
		out = append(out, *e)
	}
	rank(out, in.RankBy)
	return out
}

// rank sorts entries best first by m (entries without scores last) and
// assigns competition ranks, flagging ties.
func rank(es []Entry, m Measure) {
	if m == "" {
		m = ByMean
	}
	sort.SliceStable(es, func(i, j int) bool {
		a, b := &es[i], &es[j]
		if (a.Count == 0) != (b.Count == 0) {
			return b.Count == 0
		}
		if va, vb := a.Value(m), b.Value(m); va != vb {
			return va > vb
		}
		return a.Entry < b.Entry
	})
	for i := range es {
		switch {
		case es[i].Count == 0:
			es[i].Rank = 0 // unranked
		case i > 0 && es[i-1].Count > 0 && Same(es[i-1].Value(m), es[i].Value(m)):
			es[i].Rank = es[i-1].Rank
			es[i].Tie, es[i-1].Tie = true, true
		default:
			es[i].Rank = i + 1
		}
	}
}

// Same compares figures that are sums of decimal scores: equal within
// rounding noise means equal. Ranks, ties and decisions' cuts all use it.
func Same(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// meanStd is the mean and the sample standard deviation (n−1; 0 below two values).
func meanStd(xs []float64) (mean, std float64) {
	if len(xs) == 0 {
		return 0, 0
	}
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	for _, x := range xs {
		std += (x - mean) * (x - mean)
	}
	if len(xs) < 2 {
		return mean, 0
	}
	return mean, math.Sqrt(std / float64(len(xs)-1))
}

func median(sorted []float64) float64 {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

func clamp(v, lo, hi float64) float64 { return math.Min(math.Max(v, lo), hi) }
