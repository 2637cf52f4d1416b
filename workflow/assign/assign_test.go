package assign

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// instance generates a random problem.
func instance(seed uint64, entries, judges, k int, conflictRate float64, prefs bool) Problem {
	r := rand.New(rand.NewPCG(seed, 7))
	industries := []string{"E", "G", "I", "P"}
	prefectures := []string{"13", "27", "40"}
	p := Problem{K: k, UsePreferences: prefs, Seed: seed}
	for i := range entries {
		p.Entries = append(p.Entries, Entry{ID: int64(100 + i), Industry: industries[r.IntN(4)], Prefecture: prefectures[r.IntN(3)]})
	}
	for j := range judges {
		jd := Judge{ID: int64(1 + j)}
		if prefs && r.IntN(2) == 0 {
			jd.Industries = []string{industries[r.IntN(4)]}
		}
		p.Judges = append(p.Judges, jd)
	}
	for _, e := range p.Entries {
		for _, j := range p.Judges {
			if r.Float64() < conflictRate {
				p.Conflicts = append(p.Conflicts, Pair{e.ID, j.ID})
			}
		}
	}
	return p
}

// maxFlow computes the largest possible number of assignments independently
// (Edmonds–Karp on the full graph), for checking coverage.
func maxFlow(p Problem, existing []Pair) int {
	E, J := len(p.Entries), len(p.Judges)
	n := 2 + E + J
	src, sink := 0, n-1
	capc := make([][]int, n)
	for i := range capc {
		capc[i] = make([]int, n)
	}
	conf := map[Pair]bool{}
	for _, c := range p.Conflicts {
		conf[c] = true
	}
	for i, e := range p.Entries {
		capc[src][1+i] = p.K
		for jj, j := range p.Judges {
			if !conf[Pair{e.ID, j.ID}] {
				capc[1+i][1+E+jj] = 1
			}
		}
	}
	for jj, j := range p.Judges {
		c := j.MaxLoad
		if c == 0 {
			c = E
		}
		capc[1+E+jj][sink] = c
	}
	flow := 0
	for {
		prev := make([]int, n)
		for i := range prev {
			prev[i] = -1
		}
		prev[src] = src
		q := []int{src}
		for len(q) > 0 && prev[sink] < 0 {
			u := q[0]
			q = q[1:]
			for v := range n {
				if prev[v] < 0 && capc[u][v] > 0 {
					prev[v] = u
					q = append(q, v)
				}
			}
		}
		if prev[sink] < 0 {
			return flow
		}
		for v := sink; v != src; v = prev[v] {
			capc[prev[v]][v]--
			capc[v][prev[v]]++
		}
		flow++
	}
}

func check(t *testing.T, p Problem, r Result) map[int64]int {
	t.Helper()
	conf := map[Pair]bool{}
	for _, c := range p.Conflicts {
		conf[c] = true
	}
	seen := map[Pair]bool{}
	load := map[int64]int{}
	perEntry := map[int64]int{}
	for _, x := range append(slices.Clone(p.Existing), r.Add...) {
		if conf[x] {
			t.Fatalf("conflicted pair assigned: %+v", x)
		}
		if seen[x] {
			t.Fatalf("pair assigned twice: %+v", x)
		}
		seen[x] = true
		load[x.Judge]++
		perEntry[x.Entry]++
	}
	for _, j := range p.Judges {
		if j.MaxLoad > 0 && load[j.ID] > j.MaxLoad {
			t.Fatalf("judge %d over its maximum: %d > %d", j.ID, load[j.ID], j.MaxLoad)
		}
	}
	for _, e := range p.Entries {
		if perEntry[e.ID] > p.K && !slices.ContainsFunc(p.Existing, func(x Pair) bool { return x.Entry == e.ID }) {
			t.Fatalf("entry %d has %d judges, more than k", e.ID, perEntry[e.ID])
		}
	}
	if got := len(p.Existing) + len(r.Add); got != r.Report.Assignments {
		t.Fatalf("report counts %d assignments, there are %d", r.Report.Assignments, got)
	}
	return load
}

// TestProperties: on generated instances no conflicted pair is assigned;
// coverage equals the maximum flow (so every entry gets k judges whenever
// feasible); loads differ by at most one without preferences; the same
// seed gives the same proposal.
func TestProperties(t *testing.T) {
	for seed := range uint64(60) {
		r := rand.New(rand.NewPCG(seed, 1))
		E, J := 5+r.IntN(120), 3+r.IntN(25)
		k := 1 + r.IntN(min(3, J/2)) // k ≤ J/2: with k = J every judge must take every entry it may

		rate := []float64{0, 0.05, 0.1, 0.3}[r.IntN(4)]
		p := instance(seed, E, J, k, rate, false)
		if seed%3 == 0 { // tight capacities make some instances infeasible
			for i := range p.Judges {
				p.Judges[i].MaxLoad = 1 + (E*k)/J
			}
		}
		t.Run(fmt.Sprintf("seed%d_%dx%d_k%d_c%.2f", seed, E, J, k, rate), func(t *testing.T) {
			res, err := Solve(p)
			if err != nil {
				t.Fatal(err)
			}
			load := check(t, p, res)
			if want := maxFlow(p, nil); res.Report.Assignments != want {
				t.Fatalf("coverage %d, maximum flow %d", res.Report.Assignments, want)
			}
			if len(res.Report.Short) == 0 && res.Report.Assignments != E*k {
				t.Fatalf("no entry short, but %d assignments for %d×%d", res.Report.Assignments, E, k)
			}
			if rate <= 0.1 && seed%3 != 0 {
				lo, hi := E, 0
				for _, j := range p.Judges {
					lo, hi = min(lo, load[j.ID]), max(hi, load[j.ID])
				}
				if hi-lo > 1 {
					t.Fatalf("loads range %d–%d without preferences", lo, hi)
				}
			}
			again, _ := Solve(p)
			if !slices.Equal(again.Add, res.Add) {
				t.Fatal("the same seed gave a different proposal")
			}
		})
	}
}

func TestExistingAssignmentsAreKept(t *testing.T) {
	p := instance(5, 30, 6, 2, 0.05, false)
	p.Existing = []Pair{{100, 1}, {101, 1}, {102, 2}}
	for _, x := range p.Existing { // an existing pair may even be conflicted now: it stays
		p.Conflicts = slices.DeleteFunc(p.Conflicts, func(c Pair) bool { return c == x })
	}
	res, err := Solve(p)
	if err != nil {
		t.Fatal(err)
	}
	check(t, p, res)
	for _, a := range res.Add {
		if slices.Contains(p.Existing, a) {
			t.Fatalf("existing pair %+v proposed again", a)
		}
	}
	if res.Report.Assignments != 60 {
		t.Fatalf("assignments = %d", res.Report.Assignments)
	}
}

func TestMinimumLoadsFillFirst(t *testing.T) {
	p := instance(9, 10, 5, 1, 0, false)
	p.Judges[4].MinLoad = 5
	res, _ := Solve(p)
	load := check(t, p, res)
	if load[p.Judges[4].ID] != 5 || len(res.Report.BelowMinLoad) != 0 {
		t.Fatalf("judge with minimum 5 got %d", load[p.Judges[4].ID])
	}
}

func TestPreferencesAreMet(t *testing.T) {
	p := instance(11, 60, 10, 2, 0.05, true)
	with, _ := Solve(p)
	p.UsePreferences = false
	without, _ := Solve(p)
	p.UsePreferences = true
	if Cost(p, with.Add) > Cost(p, without.Add) || with.Report.PreferencesMet == 0 {
		t.Fatalf("preferences on: met %d, cost %d; off: cost %d", with.Report.PreferencesMet, Cost(p, with.Add), Cost(p, without.Add))
	}
}

// bruteForce returns the best (coverage, cost) over every assignment.
func bruteForce(p Problem) (int, int64) {
	conf := map[Pair]bool{}
	for _, c := range p.Conflicts {
		conf[c] = true
	}
	// Every entry's options: subsets of non-conflicted judges of size ≤ k.
	options := make([][][]int64, len(p.Entries))
	for i, e := range p.Entries {
		var ok []int64
		for _, j := range p.Judges {
			if !conf[Pair{e.ID, j.ID}] {
				ok = append(ok, j.ID)
			}
		}
		for mask := 0; mask < 1<<len(ok); mask++ {
			var sub []int64
			for b := range ok {
				if mask&(1<<b) != 0 {
					sub = append(sub, ok[b])
				}
			}
			if len(sub) <= p.K {
				options[i] = append(options[i], sub)
			}
		}
	}
	maxLoad := map[int64]int{}
	for _, j := range p.Judges {
		maxLoad[j.ID] = j.MaxLoad
	}
	bestCov, bestCost := -1, int64(0)
	var pairs []Pair
	var walk func(i int)
	walk = func(i int) {
		if i == len(p.Entries) {
			load := map[int64]int{}
			for _, x := range pairs {
				load[x.Judge]++
				if m := maxLoad[x.Judge]; m > 0 && load[x.Judge] > m {
					return
				}
			}
			c := Cost(p, pairs)
			if len(pairs) > bestCov || len(pairs) == bestCov && c < bestCost {
				bestCov, bestCost = len(pairs), c
			}
			return
		}
		for _, sub := range options[i] {
			n := len(pairs)
			for _, j := range sub {
				pairs = append(pairs, Pair{p.Entries[i].ID, j})
			}
			walk(i + 1)
			pairs = pairs[:n]
		}
	}
	walk(0)
	return bestCov, bestCost
}

// TestOptimalOnSmallInstances compares with exhaustive search: the same
// coverage and the same cost, with and without preferences and limits.
func TestOptimalOnSmallInstances(t *testing.T) {
	for seed := range uint64(150) {
		r := rand.New(rand.NewPCG(seed, 3))
		E, J := 2+r.IntN(3), 2+r.IntN(3)
		k := 1 + r.IntN(2)
		p := instance(seed, E, J, k, []float64{0, 0.2, 0.4}[r.IntN(3)], r.IntN(2) == 0)
		for i := range p.Judges {
			switch r.IntN(4) {
			case 0:
				p.Judges[i].MaxLoad = 1 + r.IntN(2)
			case 1:
				p.Judges[i].MinLoad = 1 + r.IntN(2)
			}
		}
		res, err := Solve(p)
		if err != nil {
			t.Fatal(err)
		}
		cov, cost := bruteForce(p)
		if res.Report.Assignments != cov || Cost(p, res.Add) != cost {
			t.Fatalf("seed %d (%d entries, %d judges, k=%d, prefs %v): got coverage %d cost %d, optimum %d cost %d\n%+v",
				seed, E, J, k, p.UsePreferences, res.Report.Assignments, Cost(p, res.Add), cov, cost, p)
		}
	}
}

func TestMalformedProblems(t *testing.T) {
	good := instance(1, 3, 3, 1, 0, false)
	for name, edit := range map[string]func(*Problem){
		"k zero":           func(p *Problem) { p.K = 0 },
		"min above max":    func(p *Problem) { p.Judges[0].MinLoad, p.Judges[0].MaxLoad = 3, 2 },
		"duplicate entry":  func(p *Problem) { p.Entries[1].ID = p.Entries[0].ID },
		"duplicate judge":  func(p *Problem) { p.Judges[1].ID = p.Judges[0].ID },
		"unknown conflict": func(p *Problem) { p.Conflicts = []Pair{{999, 1}} },
		"unknown existing": func(p *Problem) { p.Existing = []Pair{{100, 999}} },
	} {
		p := good
		p.Entries, p.Judges = slices.Clone(good.Entries), slices.Clone(good.Judges)
		edit(&p)
		if _, err := Solve(p); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// BenchmarkSolve: 5,000 entries × 300 judges, k = 3, 5 % random conflicts.
func BenchmarkSolve(b *testing.B) {
	p := instance(42, 5000, 300, 3, 0.05, false)
	b.ReportAllocs()
	for b.Loop() {
		res, err := Solve(p)
		if err != nil || len(res.Report.Short) > 0 {
			b.Fatal(err, res.Report.Short)
		}
	}
}

func BenchmarkSolvePreferences(b *testing.B) {
	p := instance(42, 5000, 300, 3, 0.05, true)
	for b.Loop() {
		if _, err := Solve(p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSolvePreferencesEveryJudge: as BenchmarkSolvePreferences, but
// every judge prefers one industry, so about a quarter of all pairs are
// preferred and the improvement phase has the most to do.
func BenchmarkSolvePreferencesEveryJudge(b *testing.B) {
	p := everyJudgePrefers(instance(42, 5000, 300, 3, 0.05, true), 9)
	for b.Loop() {
		if _, err := Solve(p); err != nil {
			b.Fatal(err)
		}
	}
}

// everyJudgePrefers gives every judge one preferred industry.
func everyJudgePrefers(p Problem, seed uint64) Problem {
	r := rand.New(rand.NewPCG(seed, 9))
	industries := []string{"E", "G", "I", "P"}
	p.Judges = slices.Clone(p.Judges)
	for i := range p.Judges {
		p.Judges[i].Industries = []string{industries[r.IntN(4)]}
	}
	return p
}

// minCostFlow solves the problem independently: successive shortest paths
// (Bellman–Ford) on the full network source → entry (capacity k) → judge
// (capacity 1, cost −Preference for a preferred pair) → sink, with one
// unit arc per review slot of each judge at the slot's cost. It returns
// the maximum coverage and the least cost at that coverage.
func minCostFlow(p Problem) (int, int64) {
	E, J := len(p.Entries), len(p.Judges)
	src, sink := 0, 1+E+J
	type arc struct {
		to, rev, cap int
		cost         int64
	}
	g := make([][]arc, sink+1)
	add := func(u, v, c int, cost int64) {
		g[u] = append(g[u], arc{v, len(g[v]), c, cost})
		g[v] = append(g[v], arc{u, len(g[u]) - 1, 0, -cost})
	}
	conf := map[Pair]bool{}
	for _, c := range p.Conflicts {
		conf[c] = true
	}
	for i, e := range p.Entries {
		add(src, 1+i, p.K, 0)
		for jj, j := range p.Judges {
			if conf[Pair{e.ID, j.ID}] {
				continue
			}
			var c int64
			if p.UsePreferences && (slices.Contains(j.Industries, e.Industry) || slices.Contains(j.Prefectures, e.Prefecture)) {
				c = -Preference
			}
			add(1+i, 1+E+jj, 1, c)
		}
	}
	for jj, j := range p.Judges {
		limit := j.MaxLoad
		if limit == 0 {
			limit = E
		}
		for t := 1; t <= limit; t++ {
			c := int64(t)
			if t <= j.MinLoad {
				c -= MinLoadBonus
			}
			add(1+E+jj, sink, 1, c)
		}
	}
	flow, cost := 0, int64(0)
	for {
		dist := make([]int64, len(g))
		prevNode, prevArc := make([]int, len(g)), make([]int, len(g))
		for i := range dist {
			dist[i], prevNode[i] = math.MaxInt64, -1
		}
		dist[src] = 0
		for changed := true; changed; {
			changed = false
			for u := range g {
				if dist[u] == math.MaxInt64 {
					continue
				}
				for i, a := range g[u] {
					if a.cap > 0 && dist[u]+a.cost < dist[a.to] {
						dist[a.to], prevNode[a.to], prevArc[a.to] = dist[u]+a.cost, u, i
						changed = true
					}
				}
			}
		}
		if dist[sink] == math.MaxInt64 {
			return flow, cost
		}
		for v := sink; v != src; v = prevNode[v] {
			a := &g[prevNode[v]][prevArc[v]]
			a.cap--
			g[v][a.rev].cap++
		}
		flow++
		cost += dist[sink]
	}
}

// TestOptimalOnMediumInstances compares, with preferences, load limits and
// conflicts, against the independent min-cost flow: the same coverage and
// the same cost on instances far too large for exhaustive search.
func TestOptimalOnMediumInstances(t *testing.T) {
	for seed := range uint64(40) {
		r := rand.New(rand.NewPCG(seed, 5))
		E, J := 20+r.IntN(60), 4+r.IntN(12)
		k := 1 + r.IntN(min(3, J/2))
		p := instance(seed, E, J, k, []float64{0, 0.1, 0.3}[r.IntN(3)], true)
		if seed%2 == 0 {
			p = everyJudgePrefers(p, seed)
		}
		for i := range p.Judges {
			switch r.IntN(5) {
			case 0:
				p.Judges[i].MaxLoad = 1 + r.IntN(1+E*k/J)
			case 1:
				p.Judges[i].MinLoad = 1 + r.IntN(1+E*k/J)
			case 2:
				p.Judges[i].Prefectures = []string{"13"}
			}
		}
		t.Run(fmt.Sprintf("seed%d_%dx%d_k%d", seed, E, J, k), func(t *testing.T) {
			res, err := Solve(p)
			if err != nil {
				t.Fatal(err)
			}
			check(t, p, res)
			cov, cost := minCostFlow(p)
			if res.Report.Assignments != cov || Cost(p, res.Add) != cost {
				t.Fatalf("got coverage %d cost %d, min-cost flow %d cost %d", res.Report.Assignments, Cost(p, res.Add), cov, cost)
			}
		})
	}
}

// TestOptimalWhenSomeEntriesStayShort: with so many conflicts and tight
// maximum loads that some entries cannot get k judges, the result is still
// the cheapest of the maximum coverage: which entries stay short is part
// of the choice (a short entry may take a place from a covered one when a
// judge prefers it, or to even out loads).
func TestOptimalWhenSomeEntriesStayShort(t *testing.T) {
	shorts := 0
	for seed := range uint64(200) {
		r := rand.New(rand.NewPCG(seed, 77))
		E, J := 10+r.IntN(30), 3+r.IntN(6)
		k := 1 + r.IntN(2)
		p := instance(seed, E, J, k, []float64{0.5, 0.7, 0.85}[r.IntN(3)], r.IntN(2) == 0)
		if seed%2 == 0 {
			p = everyJudgePrefers(p, seed)
		}
		for i := range p.Judges {
			if r.IntN(3) == 0 {
				p.Judges[i].MaxLoad = 1 + r.IntN(1+E*k/J)
			}
		}
		res, err := Solve(p)
		if err != nil {
			t.Fatal(err)
		}
		check(t, p, res)
		if len(res.Report.Short) > 0 {
			shorts++
		}
		if cov, cost := minCostFlow(p); res.Report.Assignments != cov || Cost(p, res.Add) != cost {
			t.Errorf("seed %d (%d×%d, k=%d, prefs %v): got coverage %d cost %d, min-cost flow %d cost %d",
				seed, E, J, k, p.UsePreferences, res.Report.Assignments, Cost(p, res.Add), cov, cost)
		}
	}
	if shorts < 100 {
		t.Errorf("only %d of 200 instances leave an entry short", shorts)
	}
}

// BenchmarkSolveTightLoads: every judge prefers an industry and takes at
// most 45 reviews, 10 % short of what 5,000 × 3 needs, so hundreds of
// entries stay short and the augmenting search fails for each of them.
func BenchmarkSolveTightLoads(b *testing.B) {
	p := everyJudgePrefers(instance(42, 5000, 300, 3, 0.05, true), 9)
	for i := range p.Judges {
		p.Judges[i].MaxLoad = 45
	}
	for b.Loop() {
		if res, err := Solve(p); err != nil || len(res.Report.Short) == 0 {
			b.Fatal(err, "expected short entries")
		}
	}
}
