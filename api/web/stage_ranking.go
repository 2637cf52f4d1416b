package web

import (
	"net/http"
	"net/url"

	"github.com/awardflow/awardflow/workflow/aggregate"
)

// measures are the figures a ranking, and so a decision, may be ordered by.
var measures = []aggregate.Measure{aggregate.ByMean, aggregate.ByMedian, aggregate.ByTrimmedMean, aggregate.ByNormalised}

// measureName is a measure's one name, on the ranking and the decision alike
// (平均点, 中央値, 調整平均, 補正後の平均: the ranking's column headings).
func (c *ctx) measureName(m aggregate.Measure) string {
	return c.T("stage.ranking.measure." + string(m))
}

type rankRow struct {
	Rank                              int
	Tie                               bool
	Entry                             string
	Count, Assigned                   int
	Mean, Median, Trimmed, Spread, Nm string
}

type rankingView struct {
	Head      stageHead
	Form      *Form
	Measure   string // the measure's name, for the caption
	Normalise bool
	Rows      []rankRow
	Ties      bool
	// Toggle is this ranking with normalisation switched.
	Toggle string
}

// rankingPage ranks the stage's entries: ?measure= (mean, median,
// trimmed_mean, normalised) and ?normalised=1 show the z-scored figure
// beside the raw ones. An unknown measure is shown as a form error,
// ranked by the mean meanwhile.
func (s *Site) rankingPage(c *ctx) error {
	q := c.r.URL.Query()
	f := c.form()
	opts := make([]Option, len(measures))
	for i, m := range measures {
		opts[i] = Option{Value: string(m), Label: c.measureName(m)}
	}
	by := aggregate.Measure(q.Get("measure"))
	status := http.StatusOK
	if by == "" {
		by = aggregate.ByMean
	}
	mf := f.Add(Field{Name: "measure", Type: "select", Label: c.T("stage.ranking.measure"), Options: opts, Value: string(by)})
	nf := f.Add(Field{Name: "normalised", Type: "checkbox", Label: c.T("stage.ranking.normalised"), Help: c.T("stage.ranking.normalised.help")})
	known := false
	for _, m := range measures {
		known = known || m == by
	}
	if !known {
		f.Fail("measure", c.T("stage.ranking.measure.unknown"))
		by, status = aggregate.ByMean, http.StatusUnprocessableEntity
	}
	norm := q.Get("normalised") == "1" || q.Get("normalised") == "true" || by == aggregate.ByNormalised
	if norm {
		nf.Value = "true"
	}
	ranked, err := s.cfg.Service.Ranking(c.r.Context(), c.actor, c.stageRef(), norm, by)
	if err != nil {
		return err
	}
	b, err := s.board(c)
	if err != nil {
		return err
	}
	n := c.names(b)
	v := rankingView{Head: c.head(b, "/ranking"), Form: f, Measure: c.measureName(by), Normalise: norm}
	toggle := url.Values{"measure": {mf.Value}}
	if !norm {
		toggle.Set("normalised", "1")
	}
	v.Toggle = stagePath(b.Stage, "/ranking") + "?" + toggle.Encode()
	for _, e := range ranked {
		has := e.Count > 0
		v.Rows = append(v.Rows, rankRow{Rank: e.Rank, Tie: e.Tie, Entry: n.entry(e.Nomination.ID), Count: e.Count, Assigned: e.Count + len(e.Missing),
			Mean: decimal(e.Mean, has), Median: decimal(e.Median, has), Trimmed: decimal(e.TrimmedMean, has),
			Spread: decimal(e.StdDev, e.Count > 1), Nm: decimal(e.Normalised, has)})
		v.Ties = v.Ties || e.Tie
	}
	return c.render(status, "stage/ranking", "stage.ranking.title", v)
}
