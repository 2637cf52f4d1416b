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

// phase is where now is in a judging window.
func phase(w workflow.Window, now time.Time) string {
	switch {
	case now.Before(w.Opens):
		return "before"
	case w.Contains(now):
		return "open"
	}
	return "closed"
}

// timeLeft says how long the window stays open, or when it opens.
func (c *ctx) timeLeft(w workflow.Window) string {
	now := c.s.cfg.Now()
	switch phase(w, now) {
	case "before":
		return c.T("window.left.before", c.span(w.Opens.Sub(now)))
	case "open":
		return c.T("window.left.open", c.span(w.Closes.Sub(now)))
	}
	return c.T("window.left.closed")
}

// span is a duration as people say it: 3日と4時間, 5時間20分, 12分.
func (c *ctx) span(d time.Duration) string {
	d = d.Round(time.Minute)
	days, hours, minutes := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case days > 0:
		return c.T("window.span.days", days, hours)
	case hours > 0:
		return c.T("window.span.hours", hours, minutes)
	}
	return c.T("window.span.minutes", minutes)
}
