// Package assign proposes judge assignments: k judges per entry, never a
// conflicted pair, per-judge minimum and maximum loads, balanced loads, and
// optional preferences. It is pure and deterministic for a given seed.
//
// The problem is a min-cost flow (as in HotCRP): source → entry (capacity
// k) → judge (capacity 1, cost −Preference for a preferred pair) → sink,
// where a judge's t-th review costs t (rising, so loads balance) and, up
// to the judge's minimum load, t − MinLoadBonus (so minimums fill first).
// Coverage comes first: the result is a maximum flow, so every entry gets k
// judges whenever that is feasible at all.
//
// Solving the textbook way (a shortest path per unit of flow over a dense
// bipartite graph) is far too slow at 5,000 entries × 300 judges, so the
// solver works in three exact steps on the structure of the problem:
//
//  1. greedy: entries, most constrained first, take their cheapest eligible
//     judges;
//  2. augment: an entry left short searches alternating paths (move an
//     entry from one judge to another to free a place) until no augmenting
//     path exists, which makes the flow maximum;
//  3. improve: on the judge graph, where an edge a→b means "some entry of
//     a's could move to b" weighted by the change in preference cost, the
//     solver cancels negative cycles and applies load-shifting paths whose
//     end costs (b's next review minus a's last one) make them negative.
//     When neither exists, the residual graph has no negative cycle and the
//     flow is a minimum-cost maximum flow: optimal.
//
// Existing assignments are fixed: they count towards loads and are never
// moved or removed.
package assign

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// Costs of the objective.
const (
	// Preference is what a preferred pair is worth, in units of load: a
	// judge may carry up to this many more reviews to get entries it prefers.
	Preference = 2
	// MinLoadBonus makes reviews below a judge's minimum load cheaper than
	// any other consideration.
	MinLoadBonus = 1_000_000
)

// Entry is something to be judged.
type Entry struct {
	ID         int64
	Industry   string
	Prefecture string
}

// Judge is a panel member with load limits and optional preferences.
type Judge struct {
	ID          int64
	MinLoad     int
	MaxLoad     int // 0: no limit
	Industries  []string
	Prefectures []string
}

// Pair is an assignment of a judge to an entry.
type Pair struct{ Entry, Judge int64 }

// Problem is an assignment problem.
type Problem struct {
	Entries        []Entry
	Judges         []Judge
	K              int    // judges per entry
	Conflicts      []Pair // never assigned
	Existing       []Pair // already assigned; kept
	UsePreferences bool
	Seed           uint64
}

// Short is an entry left with fewer than k judges.
type Short struct {
	Entry   int64 `json:"entry"`
	Missing int   `json:"missing"`
}

// Report is the quality of a result.
type Report struct {
	Entries         int     `json:"entries"`
	Judges          int     `json:"judges"`
	K               int     `json:"k"`
	Assignments     int     `json:"assignments"` // existing and proposed
	Proposed        int     `json:"proposed"`
	LoadMin         int     `json:"load_min"`
	LoadMax         int     `json:"load_max"`
	LoadSpread      int     `json:"load_spread"`
	BelowMinLoad    []int64 `json:"below_min_load"` // judges under their minimum
	Short           []Short `json:"short"`
	PreferencesMet  int     `json:"preferences_met"` // assigned pairs the judge prefers
	ConflictsHonour int     `json:"conflicts_excluded"`
	Cost            int64   `json:"cost"`
}

// Result is a proposal: the pairs to add, and its quality.
type Result struct {
	Add    []Pair
	Report Report
}

// Solve proposes assignments. Errors: a malformed problem (k < 1, a
// minimum above a maximum, duplicate ids, or pairs naming unknown ids).
func Solve(p Problem) (Result, error) {
	s, err := newSolver(p)
	if err != nil {
		return Result{}, err
	}
	s.greedy()
	s.augment()
	s.improve()
	return s.result(), nil
}

type solver struct {
	p        Problem
	E, J     int
	words    int
	conflict []uint64 // E × words bitsets: judge j conflicts with entry e
	assigned []uint64 // E × words bitsets
	fixed    map[[2]int32]bool
	byEntry  [][]int32 // judges of each entry
	byJudge  [][]int32 // movable entries of each judge
	load     []int
	pref     [][]bool // only when UsePreferences: entry × judge
	rank     []int    // seeded tie-break order of judges
	order    []int    // seeded order of entries
	need     []int
}

func newSolver(p Problem) (*solver, error) {
	if p.K < 1 {
		return nil, errors.New("assign: k must be at least 1")
	}
	E, J := len(p.Entries), len(p.Judges)
	s := &solver{p: p, E: E, J: J, words: (J + 63) / 64, fixed: map[[2]int32]bool{}}
	s.conflict = make([]uint64, E*s.words)
	s.assigned = make([]uint64, E*s.words)
	s.byEntry = make([][]int32, E)
	s.byJudge = make([][]int32, J)
	s.load = make([]int, J)
	s.need = make([]int, E)
	ei := make(map[int64]int32, E)
	for i, e := range p.Entries {
		if _, dup := ei[e.ID]; dup {
			return nil, fmt.Errorf("assign: entry %d listed twice", e.ID)
		}
		ei[e.ID] = int32(i)
	}
	ji := make(map[int64]int32, J)
	for i, j := range p.Judges {
		if _, dup := ji[j.ID]; dup {
			return nil, fmt.Errorf("assign: judge %d listed twice", j.ID)
		}
		if j.MinLoad < 0 || j.MaxLoad < 0 || (j.MaxLoad > 0 && j.MinLoad > j.MaxLoad) {
			return nil, fmt.Errorf("assign: judge %d: load limits %d–%d", j.ID, j.MinLoad, j.MaxLoad)
		}
		ji[j.ID] = int32(i)
	}
	index := func(pr Pair) (int32, int32, error) {
		e, ok1 := ei[pr.Entry]
		j, ok2 := ji[pr.Judge]
		if !ok1 || !ok2 {
			return 0, 0, fmt.Errorf("assign: pair (%d, %d) names an unknown entry or judge", pr.Entry, pr.Judge)
		}
		return e, j, nil
	}
	for _, c := range p.Conflicts {
		e, j, err := index(c)
		if err != nil {
			return nil, err
		}
		s.set(s.conflict, e, j)
	}
	for _, x := range p.Existing {
		e, j, err := index(x)
		if err != nil {
			return nil, err
		}
		if s.has(s.assigned, e, j) {
			continue
		}
		s.set(s.assigned, e, j)
		s.fixed[[2]int32{e, j}] = true
		s.byEntry[e] = append(s.byEntry[e], j)
		s.load[j]++
	}
	for e := range s.need {
		s.need[e] = max(0, p.K-len(s.byEntry[e]))
	}
	if p.UsePreferences {
		s.pref = make([][]bool, E)
		for e, en := range p.Entries {
			s.pref[e] = make([]bool, J)
			for j, jd := range p.Judges {
				s.pref[e][j] = slices.Contains(jd.Industries, en.Industry) || slices.Contains(jd.Prefectures, en.Prefecture)
			}
		}
	}
	r := rand.New(rand.NewPCG(p.Seed, 0x61776172646c6f77))
	s.rank = r.Perm(J)
	s.order = r.Perm(E)
	return s, nil
}

func (s *solver) set(bits []uint64, e, j int32) {
	bits[int(e)*s.words+int(j)/64] |= 1 << (uint(j) % 64)
}
func (s *solver) unset(bits []uint64, e, j int32) {
	bits[int(e)*s.words+int(j)/64] &^= 1 << (uint(j) % 64)
}
func (s *solver) has(bits []uint64, e, j int32) bool {
	return bits[int(e)*s.words+int(j)/64]&(1<<(uint(j)%64)) != 0
}

// slot is the cost of judge j's t-th review (t ≥ 1).
func (s *solver) slot(j int32, t int) int64 {
	c := int64(t)
	if t <= s.p.Judges[j].MinLoad {
		c -= MinLoadBonus
	}
	return c
}

func (s *solver) full(j int32) bool {
	m := s.p.Judges[j].MaxLoad
	return m > 0 && s.load[j] >= m
}

func (s *solver) addCost(j int32) int64 {
	if s.full(j) {
		return math.MaxInt64 / 4
	}
	return s.slot(j, s.load[j]+1)
}

func (s *solver) pairCost(e, j int32) int64 {
	if s.pref != nil && s.pref[e][j] {
		return -Preference
	}
	return 0
}

// eligible: not conflicted and not already assigned.
func (s *solver) eligible(e, j int32) bool {
	return !s.has(s.conflict, e, j) && !s.has(s.assigned, e, j)
}

func (s *solver) assign(e, j int32) {
	s.set(s.assigned, e, j)
	s.byEntry[e] = append(s.byEntry[e], j)
	s.byJudge[j] = append(s.byJudge[j], e)
	s.load[j]++
	s.need[e]--
}

// move moves entry e's (movable) review from judge a to judge b.
func (s *solver) move(e, a, b int32) {
	s.unset(s.assigned, e, a)
	s.set(s.assigned, e, b)
	i := slices.Index(s.byEntry[e], a)
	s.byEntry[e][i] = b
	k := slices.Index(s.byJudge[a], e)
	s.byJudge[a] = slices.Delete(s.byJudge[a], k, k+1)
	s.byJudge[b] = append(s.byJudge[b], e)
	s.load[a]--
	s.load[b]++
}

// greedy gives each entry, most constrained first, its cheapest judges.
func (s *solver) greedy() {
	free := make([]int, s.E)
	for e := range s.E {
		for j := range int32(s.J) {
			if !s.has(s.conflict, int32(e), j) {
				free[e]++
			}
		}
	}
	order := slices.Clone(s.order)
	pos := make([]int, s.E)
	for i, e := range s.order {
		pos[e] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		if free[a] != free[b] {
			return free[a] - free[b]
		}
		return pos[a] - pos[b]
	})
	best := make([]int32, 0, s.p.K)
	for _, ei := range order {
		e := int32(ei)
		for s.need[e] > 0 {
			best = best[:0]
			var bestCost int64
			found := int32(-1)
			for j := range int32(s.J) {
				if !s.eligible(e, j) || s.full(j) {
					continue
				}
				c := s.addCost(j) + s.pairCost(e, j)
				if found < 0 || c < bestCost || c == bestCost && s.rank[j] < s.rank[found] {
					found, bestCost = j, c
				}
			}
			if found < 0 {
				break
			}
			s.assign(e, found)
		}
	}
}

// augment finds, for every short entry, alternating paths that free a
// place for it, until none exists: the flow is then maximum.
func (s *solver) augment() {
	for changed := true; changed; {
		changed = false
		for e := range int32(s.E) {
			for s.need[e] > 0 && s.augmentOne(e) {
				changed = true
			}
		}
	}
}

// augmentOne searches breadth-first over judges. A judge j is reached
// either directly (e may go to j) or through a move of some entry from the
// judge before it; a reached judge with a free place ends the path.
func (s *solver) augmentOne(e int32) bool {
	type step struct {
		from  int32 // previous judge, −1 for the start
		entry int32 // the entry moved from `from` to this judge
	}
	prev := make([]step, s.J)
	seen := make([]bool, s.J)
	var queue []int32
	for j := range int32(s.J) {
		if s.eligible(e, j) {
			seen[j] = true
			prev[j] = step{-1, e}
			queue = append(queue, j)
		}
	}
	for len(queue) > 0 {
		j := queue[0]
		queue = queue[1:]
		if !s.full(j) {
			// Apply from the end: each move frees the place the previous step uses.
			for cur := j; ; {
				st := prev[cur]
				if st.from < 0 {
					s.assign(e, cur)
					return true
				}
				s.move(st.entry, st.from, cur)
				cur = st.from
			}
		}
		for _, e2 := range s.byJudge[j] {
			for j2 := range int32(s.J) {
				if !seen[j2] && s.eligible(e2, j2) {
					seen[j2] = true
					prev[j2] = step{j, e2}
					queue = append(queue, j2)
				}
			}
		}
	}
	return false
}

// improve cancels negative cycles and negative load-shifting paths on the
// judge graph until there are none.
func (s *solver) improve() {
	for {
		w, via := s.judgeGraph()
		if s.pref != nil {
			if cyc := negativeCycle(w, s.J); cyc != nil {
				s.applyPath(cyc, via)
				continue
			}
		}
		path := s.bestShift(w)
		if path == nil {
			return
		}
		s.applyPath(path, via)
	}
}

const noEdge = math.MaxInt64 / 4

// judgeGraph weighs a→b by the cheapest change in preference cost of
// moving one of a's movable entries to b, and remembers which entry.
func (s *solver) judgeGraph() ([]int64, []int32) {
	J := s.J
	w := make([]int64, J*J)
	via := make([]int32, J*J)
	for i := range w {
		w[i] = noEdge
	}
	for a := range int32(J) {
		for _, e := range s.byJudge[a] {
			base := s.pairCost(e, a)
			row := int(a) * J
			for b := range int32(J) {
				if b == a || !s.eligible(e, b) {
					continue
				}
				if c := s.pairCost(e, b) - base; c < w[row+int(b)] {
					w[row+int(b)], via[row+int(b)] = c, e
				}
			}
		}
	}
	return w, via
}

// bestShift finds the path a→…→b minimising −slot(a, load a) + path weight
// + slot(b, load b + 1), and returns it if that is negative. A path has at
// least one edge: dist[b] starts from one-edge paths (fromStart[b] marks
// that b's predecessor is the path's start), and longer paths relax from
// there.
func (s *solver) bestShift(w []int64) []int32 {
	J := s.J
	dist := make([]int64, J)
	pred := make([]int32, J)
	fromStart := make([]bool, J)
	for b := range J {
		dist[b], pred[b] = noEdge, -1
	}
	for a := range int32(J) {
		if len(s.byJudge[a]) == 0 {
			continue
		}
		start := -s.slot(a, s.load[a])
		for b := range J {
			if e := w[int(a)*J+b]; e < noEdge && start+e < dist[b] {
				dist[b], pred[b], fromStart[b] = start+e, a, true
			}
		}
	}
	for range J {
		changed := false
		for a := range J {
			if dist[a] >= noEdge {
				continue
			}
			for b := range J {
				if e := w[a*J+b]; e < noEdge && b != a && dist[a]+e < dist[b] {
					dist[b], pred[b], fromStart[b] = dist[a]+e, int32(a), false
					changed = true
				}
			}
		}
		if !changed {
			break
		}
	}
	best, bestB := int64(0), int32(-1)
	for b := range int32(J) {
		if dist[b] >= noEdge || s.full(b) {
			continue
		}
		if total := dist[b] + s.slot(b, s.load[b]+1); total < best {
			best, bestB = total, b
		}
	}
	if bestB < 0 {
		return nil
	}
	path := []int32{bestB}
	for cur := bestB; ; {
		p := pred[cur]
		path = append(path, p)
		if fromStart[cur] || len(path) > J+1 {
			break
		}
		cur = p
	}
	slices.Reverse(path)
	if path = simple(path); len(path) < 2 {
		return nil
	}
	return path
}

// simple cuts loops out of a walk. With no negative cycle in the graph a
// loop weighs at least zero, so the cut walk costs no more, and a simple
// path's moves are always valid in sequence.
func simple(path []int32) []int32 {
	out := make([]int32, 0, len(path))
	at := map[int32]int{}
	for _, j := range path {
		if i, ok := at[j]; ok {
			for _, x := range out[i+1:] {
				delete(at, x)
			}
			out = out[:i+1]
			continue
		}
		at[j] = len(out)
		out = append(out, j)
	}
	return out
}

// applyPath moves, along consecutive judges of path, the entry the graph
// chose for each edge.
func (s *solver) applyPath(path []int32, via []int32) {
	moves := make([][3]int32, 0, len(path))
	for i := 0; i+1 < len(path); i++ {
		a, b := path[i], path[i+1]
		moves = append(moves, [3]int32{via[int(a)*s.J+int(b)], a, b})
	}
	for _, m := range moves {
		s.move(m[0], m[1], m[2])
	}
}

// negativeCycle returns a negative cycle of the judge graph (first judge
// repeated at the end), or nil.
func negativeCycle(w []int64, J int) []int32 {
	dist := make([]int64, J)
	pred := make([]int32, J)
	for i := range pred {
		pred[i] = -1
	}
	last := int32(-1)
	for range J {
		last = -1
		for a := range J {
			for b := range J {
				if e := w[a*J+b]; e < noEdge && dist[a]+e < dist[b] {
					dist[b], pred[b] = dist[a]+e, int32(a)
					last = int32(b)
				}
			}
		}
		if last < 0 {
			return nil
		}
	}
	// last was relaxed in round J: walking J predecessors lands on a cycle.
	x := last
	for range J {
		x = pred[x]
	}
	cyc := []int32{x}
	for y := pred[x]; y != x; y = pred[y] {
		cyc = append(cyc, y)
	}
	cyc = append(cyc, x)
	slices.Reverse(cyc)
	return cyc
}

func (s *solver) result() Result {
	var r Result
	for e := range int32(s.E) {
		for _, j := range s.byEntry[e] {
			if !s.fixed[[2]int32{e, j}] {
				r.Add = append(r.Add, Pair{Entry: s.p.Entries[e].ID, Judge: s.p.Judges[j].ID})
			}
		}
	}
	slices.SortFunc(r.Add, func(a, b Pair) int {
		if a.Entry != b.Entry {
			return int(a.Entry - b.Entry)
		}
		return int(a.Judge - b.Judge)
	})
	rep := Report{Entries: s.E, Judges: s.J, K: s.p.K, Proposed: len(r.Add), ConflictsHonour: len(s.p.Conflicts)}
	for e := range int32(s.E) {
		rep.Assignments += len(s.byEntry[e])
		if s.need[e] > 0 {
			rep.Short = append(rep.Short, Short{Entry: s.p.Entries[e].ID, Missing: s.need[e]})
		}
		for _, j := range s.byEntry[e] {
			c := s.pairCost(e, j)
			rep.Cost += c
			if c < 0 {
				rep.PreferencesMet++
			}
		}
	}
	for j := range int32(s.J) {
		l := s.load[j]
		if j == 0 || l < rep.LoadMin {
			rep.LoadMin = l
		}
		rep.LoadMax = max(rep.LoadMax, l)
		if l < s.p.Judges[j].MinLoad {
			rep.BelowMinLoad = append(rep.BelowMinLoad, s.p.Judges[j].ID)
		}
		for t := 1; t <= l; t++ {
			rep.Cost += s.slot(j, t)
		}
	}
	rep.LoadSpread = rep.LoadMax - rep.LoadMin
	r.Report = rep
	return r
}

// Cost is the objective of an assignment (existing and added pairs), for
// checking a result against another method.
func Cost(p Problem, pairs []Pair) int64 {
	load := map[int64]int{}
	var c int64
	judges := map[int64]Judge{}
	for _, j := range p.Judges {
		judges[j.ID] = j
	}
	entries := map[int64]Entry{}
	for _, e := range p.Entries {
		entries[e.ID] = e
	}
	for _, pr := range pairs {
		load[pr.Judge]++
		j, e := judges[pr.Judge], entries[pr.Entry]
		if p.UsePreferences && (slices.Contains(j.Industries, e.Industry) || slices.Contains(j.Prefectures, e.Prefecture)) {
			c -= Preference
		}
	}
	for id, l := range load {
		for t := 1; t <= l; t++ {
			c += int64(t)
			if t <= judges[id].MinLoad {
				c -= MinLoadBonus
			}
		}
	}
	return c
}
