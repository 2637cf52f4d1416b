package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/awardflow/awardflow/workflow"
)

// windowRequest changes a call or judging window: opens_at is kept when
// absent; times are RFC 3339 or a local date-time in Japan.
type windowRequest struct {
	OpensAt  string `json:"opens_at"`
	ClosesAt string `json:"closes_at"`
	Reason   string `json:"reason"`
}

// putCallWindow extends or reopens a programme's call.
func (s *server) putCallWindow(c *gin.Context) { s.putWindow(c, "") }

// putStageWindow extends or reopens a stage's judging.
func (s *server) putStageWindow(c *gin.Context) { s.putWindow(c, c.Param("stage")) }

func (s *server) putWindow(c *gin.Context, stage string) {
	expected, ok := s.ifMatch(c, false)
	if !ok {
		return
	}
	var req windowRequest
	if !s.decode(c, &req) {
		return
	}
	in := workflow.WindowInput{Reason: req.Reason, Expected: expected}
	var ps []workflow.Problem
	if req.OpensAt != "" {
		t, ok := workflow.ParseInstant(req.OpensAt)
		if !ok {
			ps = append(ps, notTime("opens_at"))
		}
		in.Opens = &t
	}
	if req.ClosesAt != "" {
		t, ok := workflow.ParseInstant(req.ClosesAt)
		if !ok {
			ps = append(ps, notTime("closes_at"))
		}
		in.Closes = t
	}
	if len(ps) > 0 {
		s.fail(c, &workflow.Error{Code: workflow.Invalid, Message: "bad window time", Problems: ps})
		return
	}
	ch, err := s.cfg.Service.SetWindow(c.Request.Context(), actor(c),
		workflow.WindowRef{Cycle: c.Param("key"), Programme: c.Param("programme"), Stage: stage}, in)
	if err != nil {
		s.fail(c, err)
		return
	}
	etag(c, ch.Seq+1)
	c.JSON(http.StatusOK, toWindowChangeJSON(ch))
}

func notTime(path string) workflow.Problem {
	return workflow.Problem{Path: path, Code: "not_time", Message: workflow.Text{
		Ja: "日時は 2026-12-20T17:00+09:00 または 2026-12-20T17:00（日本時間）の形で入力してください",
		En: "must be a time such as 2026-12-20T17:00+09:00, or 2026-12-20T17:00 in Japan time"}}
}

// getWindows returns a programme's windows in force and their change log.
func (s *server) getWindows(c *gin.Context) {
	log, err := s.cfg.Service.Windows(c.Request.Context(), actor(c), c.Param("key"), c.Param("programme"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toWindowLogJSON(log))
}

// windowChangeJSON is one change of a window.
type windowChangeJSON struct {
	ID        int64      `json:"id"`
	Cycle     string     `json:"cycle"`
	Programme string     `json:"programme"`
	Stage     string     `json:"stage,omitempty"` // "" for the call
	Seq       int        `json:"seq"`
	Window    windowJSON `json:"window"`   // the window from now on
	Previous  windowJSON `json:"previous"` // the effective window it replaced
	Reason    string     `json:"reason"`
	ActorID   string     `json:"actor_id"`
	ActorName string     `json:"actor_name"`
	At        time.Time  `json:"at"`
}

func toWindowChangeJSON(ch workflow.WindowChange) windowChangeJSON {
	return windowChangeJSON{ID: ch.ID, Cycle: ch.Cycle, Programme: ch.Programme, Stage: ch.Stage, Seq: ch.Seq,
		Window: toWindowJSON(ch.Window), Previous: toWindowJSON(ch.Previous), Reason: ch.Reason,
		ActorID: ch.ActorID, ActorName: ch.ActorName, At: ch.At}
}

// windowLogJSON is a programme's windows in force and their change log.
type windowLogJSON struct {
	Call     windowJSON            `json:"call"`
	Stages   map[string]windowJSON `json:"stages"`
	Versions map[string]int        `json:"versions"` // "call" or a stage key → 1 + its number of changes (If-Match)
	Changes  []windowChangeJSON    `json:"changes"`  // oldest first
}

func toWindowLogJSON(l workflow.WindowLog) windowLogJSON {
	out := windowLogJSON{Call: toWindowJSON(l.Call), Versions: l.Versions, Changes: each(l.Changes, toWindowChangeJSON)}
	if l.Stages != nil {
		out.Stages = make(map[string]windowJSON, len(l.Stages))
		for k, w := range l.Stages {
			out.Stages[k] = toWindowJSON(w)
		}
	}
	return out
}
