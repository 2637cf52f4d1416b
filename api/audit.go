package api

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/awardflow/awardflow/workflow"
)

type answerChangeJSON struct {
	Field  string          `json:"field"`
	Before json.RawMessage `json:"before"` // null when the answer was empty
	After  json.RawMessage `json:"after"`  // null when it was cleared
}

type answerEditJSON struct {
	Version   int                `json:"version"`
	ActorID   string             `json:"actor_id"`
	ActorName string             `json:"actor_name"`
	Role      workflow.Role      `json:"role"`
	At        time.Time          `json:"at"`
	Changes   []answerChangeJSON `json:"changes"`
}

// answerHistory is GET /nominations/:id/answer-history: every edit of the
// answers, oldest first, with each changed field before and after.
func (s *server) answerHistory(c *gin.Context) {
	id, ok := s.idParam(c, "id")
	if !ok {
		return
	}
	es, err := s.cfg.Service.AnswerHistory(c.Request.Context(), actor(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]answerEditJSON, len(es))
	for i, e := range es {
		out[i] = answerEditJSON{Version: e.Version, ActorID: e.ActorID, ActorName: e.ActorName, Role: e.Role, At: e.At,
			Changes: make([]answerChangeJSON, len(e.Changes))}
		for j, ch := range e.Changes {
			out[i].Changes[j] = answerChangeJSON{Field: ch.Field, Before: ch.Before, After: ch.After}
		}
	}
	c.JSON(http.StatusOK, items(out))
}
