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
//     a's could move to b" weighted by the change in preference cost, with
//     a node T for loads (a judge giving up its last review or taking one
//     more, at the cost of that slot) and a node S for entries left short,
//     the solver cancels negative cycles, keeping the graph up to date
//     incrementally and searching it with a warm-started queue-based
//     Bellman–Ford. When none is left, the residual graph has no negative
//     cycle and the flow is a minimum-cost maximum flow: optimal.
//
// Existing assignments are fixed: they count towards loads and are never
// moved or removed.
package assign

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
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
	Entry   int64
	Missing int
}

// Report is the quality of a result.
type Report struct {
	Entries         int
	Judges          int
	K               int
	Assignments     int // existing and proposed
	Proposed        int
	LoadMin         int
	LoadMax         int
	LoadSpread      int
	BelowMinLoad    []int64 // judges under their minimum
	Short           []Short
	PreferencesMet  int // assigned pairs the judge prefers
	ConflictsHonour int
	Cost            int64
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
	pref     []uint64 // only when UsePreferences: E × words bitsets, judge j prefers entry e
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
		s.pref = make([]uint64, E*s.words)
		byIndustry, byPrefecture := map[string][]int32{}, map[string][]int32{}
		for j, jd := range p.Judges {
			for _, v := range jd.Industries {
				byIndustry[v] = append(byIndustry[v], int32(j))
			}
			for _, v := range jd.Prefectures {
				byPrefecture[v] = append(byPrefecture[v], int32(j))
			}
		}
		for e, en := range p.Entries {
			for _, j := range byIndustry[en.Industry] {
				s.set(s.pref, int32(e), j)
			}
			for _, j := range byPrefecture[en.Prefecture] {
				s.set(s.pref, int32(e), j)
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
	if s.pref != nil && s.has(s.pref, e, j) {
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

// unassign takes entry e's (movable) review from judge j, leaving e short.
func (s *solver) unassign(e, j int32) {
	s.unset(s.assigned, e, j)
	i := slices.Index(s.byEntry[e], j)
	s.byEntry[e] = slices.Delete(s.byEntry[e], i, i+1)
	k := slices.Index(s.byJudge[j], e)
	s.byJudge[j] = slices.Delete(s.byJudge[j], k, k+1)
	s.load[j]--
	s.need[e]++
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

// validJudges is the bitset of all judges (the last word's high bits clear).
func (s *solver) validJudges() []uint64 {
	v := make([]uint64, s.words)
	for j := range s.J {
		v[j/64] |= 1 << (uint(j) % 64)
	}
	return v
}

// augmentOne searches breadth-first over judges. A judge j is reached
// either directly (e may go to j) or through a move of some entry from the
// judge before it; a reached judge with a free place ends the path.
func (s *solver) augmentOne(e int32) bool {
	type step struct {
		from  int32 // previous judge, −1 for the start
		entry int32 // the entry moved from `from` to this judge
	}
	W := s.words
	prev := make([]step, s.J)
	seen := make([]uint64, W) // judges reached
	valid := s.validJudges()
	var queue []int32
	for j := range int32(s.J) {
		if s.eligible(e, j) {
			seen[j/64] |= 1 << (uint(j) % 64)
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
		// Judges in ascending order, a word at a time: eligible for e2 and unseen.
		for _, e2 := range s.byJudge[j] {
			conf, asg := s.conflict[int(e2)*W:int(e2+1)*W], s.assigned[int(e2)*W:int(e2+1)*W]
			for i := range W {
				for m := ^(conf[i] | asg[i] | seen[i]) & valid[i]; m != 0; m &= m - 1 {
					j2 := int32(i*64 + bits.TrailingZeros64(m))
					seen[i] |= 1 << (uint(j2) % 64)
					prev[j2] = step{j, e2}
					queue = append(queue, j2)
				}
			}
		}
	}
	return false
}

// improve cancels negative cycles of the judge graph until there are none.
//
// The graph has a node per judge and two more: T for the loads and S for
// the entries left short. a→b weighs the cheapest change in preference
// cost of moving one of a's movable entries to b; T→a weighs
// −slot(a, load a) (a gives up its last review, if it has a movable one)
// and b→T weighs slot(b, load b + 1) (b takes one more, if not full);
// S→b weighs the preference cost of giving b to a short entry, and a→S
// minus that of taking one of a's movable entries away from it (which
// leaves that entry short instead). A negative cycle through T is a
// load-shifting path, one through S a change of which entries are short
// (coverage stays the same), one through neither a swap of preferred
// pairs. These are all the cycles of the flow's residual graph with the
// entries contracted out, so with none negative left the flow is a
// minimum-cost maximum flow.
//
// The graph is kept up to date incrementally (a change to an entry's
// judges recomputes only the rows of the judges that hold it), and the
// search is a queue-based Bellman–Ford (SPFA) that starts from the
// previous search's distances, which stay near-feasible potentials between
// searches, and checks the predecessor graph for a cycle every N
// relaxations (any cycle there is negative).
func (s *solver) improve() {
	g := newJudgeGraph(s)
	for {
		cyc := g.negativeCycle()
		if cyc == nil {
			return
		}
		g.apply(cyc)
	}
}

const noEdge = math.MaxInt64 / 4

type judgeGraph struct {
	s     *solver
	J     int
	w     []int64 // J × J, a→b
	toS   []int64 // a→S
	fromS []int64 // S→b, computed per search
	neg   []uint64
	zero  []uint64
	pos   []uint64
	dirty []bool  // rows to recompute before the next search
	dist  []int64 // potentials carried between searches (J judges, then T, then S)
	pred  []int32
	inQ   []bool
	queue []int32
	mark  []int32
}

func newJudgeGraph(s *solver) *judgeGraph {
	J, N := s.J, s.J+2
	g := &judgeGraph{s: s, J: J, w: make([]int64, J*J), toS: make([]int64, J), fromS: make([]int64, J), dirty: make([]bool, J),
		dist: make([]int64, N), pred: make([]int32, N), inQ: make([]bool, N), mark: make([]int32, N)}
	for a := range J {
		g.dirty[a] = true
	}
	return g
}

// row recomputes a's edges to the other judges and to S, a word of judges
// at a time: an edge weighs −Preference, 0 or +Preference, depending on
// whether the moved entry is preferred at a and at b.
func (g *judgeGraph) row(a int32) {
	s, J, W := g.s, g.J, g.s.words
	g.neg, g.zero, g.pos = clear0(g.neg, W), clear0(g.zero, W), clear0(g.pos, W)
	g.toS[a] = noEdge
	for _, e := range s.byJudge[a] {
		conf, asg := s.conflict[int(e)*W:int(e+1)*W], s.assigned[int(e)*W:int(e+1)*W]
		atA := s.pairCost(e, a) < 0
		g.toS[a] = min(g.toS[a], -s.pairCost(e, a))
		for i := range W {
			elig := ^(conf[i] | asg[i])
			var pref uint64
			if s.pref != nil {
				pref = s.pref[int(e)*W+i]
			}
			if atA {
				g.zero[i] |= elig & pref
				g.pos[i] |= elig &^ pref
			} else {
				g.neg[i] |= elig & pref
				g.zero[i] |= elig &^ pref
			}
		}
	}
	w := g.w[int(a)*J : int(a+1)*J]
	for b := range J {
		w[b] = g.weight(b)
	}
}

// weight reads judge b's weight from the neg, zero and pos masks.
func (g *judgeGraph) weight(b int) int64 {
	bit := uint64(1) << (uint(b) % 64)
	switch i := b / 64; {
	case g.neg[i]&bit != 0:
		return -Preference
	case g.zero[i]&bit != 0:
		return 0
	case g.pos[i]&bit != 0:
		return Preference
	}
	return noEdge
}

// shortEdges computes S→b: the cheapest short entry that may go to b.
func (g *judgeGraph) shortEdges() {
	s, J, W := g.s, g.J, g.s.words
	g.neg, g.zero, g.pos = clear0(g.neg, W), clear0(g.zero, W), clear0(g.pos, W)
	for e := range int32(s.E) {
		if s.need[e] <= 0 {
			continue
		}
		conf, asg := s.conflict[int(e)*W:int(e+1)*W], s.assigned[int(e)*W:int(e+1)*W]
		for i := range W {
			elig := ^(conf[i] | asg[i])
			var pref uint64
			if s.pref != nil {
				pref = s.pref[int(e)*W+i]
			}
			g.neg[i] |= elig & pref
			g.zero[i] |= elig &^ pref
		}
	}
	for b := range J {
		g.fromS[b] = g.weight(b)
	}
}

func clear0(x []uint64, n int) []uint64 {
	if len(x) != n {
		return make([]uint64, n)
	}
	clear(x)
	return x
}

// change is one step of a cycle: entry e leaves judge from (−1: e was
// short) for judge to (−1: e becomes short).
type change struct{ e, from, to int32 }

// via is the change an edge of the graph stands for, at the edge's weight.
func (g *judgeGraph) via(a, b int32) change {
	s, J := g.s, int32(g.J)
	T, S := J, J+1
	switch {
	case a == T || b == T:
		return change{-1, -1, -1} // a load changes, nothing moves
	case a == S:
		for e := range int32(s.E) {
			if s.need[e] > 0 && s.eligible(e, b) && s.pairCost(e, b) == g.fromS[b] {
				return change{e, -1, b}
			}
		}
	case b == S:
		for _, e := range s.byJudge[a] {
			if -s.pairCost(e, a) == g.toS[a] {
				return change{e, a, -1}
			}
		}
	default:
		want := g.w[a*J+b]
		for _, e := range s.byJudge[a] {
			if s.eligible(e, b) && s.pairCost(e, b)-s.pairCost(e, a) == want {
				return change{e, a, b}
			}
		}
	}
	panic("assign: judge graph out of date")
}

// negativeCycle returns a negative cycle as a list of nodes (first
// repeated at the end; node J is T, J+1 is S), or nil when there is none.
func (g *judgeGraph) negativeCycle() []int32 {
	s, J := g.s, g.J
	for a := range int32(J) {
		if g.dirty[a] {
			g.row(a)
			g.dirty[a] = false
		}
	}
	g.shortEdges()
	T, S := int32(J), int32(J+1)
	N := J + 2
	// T's edges depend on the loads: computed once per search.
	out := make([]int64, J) // a→T
	in := make([]int64, J)  // T→a
	for a := range int32(J) {
		out[a], in[a] = noEdge, noEdge
		if !s.full(a) {
			out[a] = s.slot(a, s.load[a]+1)
		}
		if len(s.byJudge[a]) > 0 {
			in[a] = -s.slot(a, s.load[a])
		}
	}
	for v := range g.pred {
		g.pred[v] = -1
		g.inQ[v] = true
	}
	g.queue = g.queue[:0]
	for v := range int32(N) {
		g.queue = append(g.queue, v)
	}
	dist, pred := g.dist, g.pred
	relaxed := 0
	relax := func(u, v int32, c int64) {
		if c < noEdge && dist[u]+c < dist[v] {
			dist[v], pred[v] = dist[u]+c, u
			relaxed++
			if !g.inQ[v] {
				g.inQ[v] = true
				g.queue = append(g.queue, v)
			}
		}
	}
	for head := 0; head < len(g.queue); head++ {
		u := g.queue[head]
		g.inQ[u] = false
		switch u {
		case T, S:
			edges := in
			if u == S {
				edges = g.fromS
			}
			for b := range int32(J) {
				relax(u, b, edges[b])
			}
		default:
			row := g.w[int(u)*J : int(u+1)*J]
			for b := range int32(J) {
				relax(u, b, row[b])
			}
			relax(u, T, out[u])
			relax(u, S, g.toS[u])
		}
		if relaxed >= N {
			relaxed = 0
			if cyc := g.predCycle(); cyc != nil {
				return cyc
			}
		}
		if head > 1<<16 { // keep the queue short
			g.queue = append(g.queue[:0], g.queue[head+1:]...)
			head = -1
		}
	}
	return g.predCycle()
}

// predCycle finds a cycle in the predecessor graph (every such cycle is
// negative), returned in edge order with the first node repeated.
func (g *judgeGraph) predCycle() []int32 {
	for v := range g.mark {
		g.mark[v] = -1
	}
	for start := range int32(len(g.pred)) {
		if g.mark[start] >= 0 {
			continue
		}
		v := start
		for v >= 0 && g.mark[v] < 0 {
			g.mark[v] = start
			v = g.pred[v]
		}
		if v < 0 || g.mark[v] != start {
			continue // reached the root or an earlier walk
		}
		cyc := []int32{v}
		for u := g.pred[v]; u != v; u = g.pred[u] {
			cyc = append(cyc, u)
		}
		cyc = append(cyc, v)
		slices.Reverse(cyc)
		return cyc
	}
	return nil
}

// apply makes the changes of a cycle and marks the rows they touch. Every
// change is chosen on the graph before any is made; on a simple cycle they
// never interfere (an entry an edge moves into a judge is not the one an
// edge moves out of it).
func (g *judgeGraph) apply(cyc []int32) {
	s := g.s
	changes := make([]change, 0, len(cyc))
	for i := 0; i+1 < len(cyc); i++ {
		if c := g.via(cyc[i], cyc[i+1]); c.e >= 0 {
			changes = append(changes, c)
		}
	}
	for _, c := range changes {
		switch {
		case c.from < 0:
			s.assign(c.e, c.to)
		case c.to < 0:
			s.unassign(c.e, c.from)
		default:
			s.move(c.e, c.from, c.to)
		}
		// The judges involved changed, and so did the entry's eligibility
		// for them, for every judge holding it.
		for _, j := range []int32{c.from, c.to} {
			if j >= 0 {
				g.dirty[j] = true
			}
		}
		for _, j := range s.byEntry[c.e] {
			g.dirty[j] = true
		}
	}
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
