package web

import (
	"net/url"
	"strings"
	"time"

	"github.com/awardflow/awardflow/workflow"
)

// stageRef is the stage a page's {cycle}/{programme}/{stage} names. The
// service decides whether it exists and whether the caller may see it.
func (c *ctx) stageRef() workflow.StageRef {
	return workflow.StageRef{Cycle: c.r.PathValue("cycle"), Programme: c.r.PathValue("programme"), Stage: c.r.PathValue("stage")}
}

// judgingPath is a judge's page of a stage: /judging/{cycle}/{programme}/{stage}{suffix}.
func judgingPath(ref workflow.StageRef, suffix string) string {
	return "/judging/" + escaped(ref.Cycle, ref.Programme, ref.Stage) + suffix
}

// programmePath is the secretariat's page of a programme:
// /staff/cycles/{cycle}/{programme}{suffix}.
func programmePath(cycle, programme, suffix string) string {
	return "/staff/cycles/" + escaped(cycle, programme) + suffix
}

// stagePath is the secretariat's page of a stage:
// /staff/cycles/{cycle}/{programme}/stages/{stage}{suffix}.
func stagePath(ref workflow.StageRef, suffix string) string {
	return programmePath(ref.Cycle, ref.Programme, "/stages/"+url.PathEscape(ref.Stage)+suffix)
}

func escaped(parts ...string) string {
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}

// timeLeft says how long a window has left, in days and hours.
func (c *ctx) timeLeft(w workflow.Window) string {
	now := c.s.cfg.Now()
	switch {
	case now.Before(w.Opens):
		return c.T("stage.left.not_open")
	case !now.Before(w.Closes):
		return c.T("stage.left.closed")
	}
	d := w.Closes.Sub(now)
	days, hours := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour)
	if days == 0 {
		return c.T("stage.left.hours", max(hours, 1))
	}
	return c.T("stage.left.days", days, hours)
}
