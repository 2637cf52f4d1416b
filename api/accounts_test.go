package api

import (
	"strings"
	"testing"

	"github.com/awardflow/awardflow/db/dbtest"
	"github.com/awardflow/awardflow/workflow"
)

// TestChangePassword: a signed-in user changes their password with the
// current one; the user's other sessions end, this one stays; wrong current
// passwords are throttled like sign-in.
func TestChangePassword(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	const path = "/api/v1/me/password"
	me := f.tokens["micJudge"]
	elsewhere := f.login("micJudge")
	for _, tc := range []struct {
		name              string
		current, next     string
		status            int
		field, code, lang string
		message           string
	}{
		{"wrong current", "not my password", "a quiet lake at dawn", 422, "current_password", "wrong_password", "ja", "現在のパスワードが違います"},
		{"no current", "", "a quiet lake at dawn", 422, "current_password", "required", "en", "is required"},
		{"common", "password-of-micJudge", "password2026!", 422, "new_password", "weak_common", "ja", "よく使われて"},
		{"keyboard run", "password-of-micJudge", "qwertyuiop", 422, "new_password", "weak_sequence", "en", "run of letters, digits or keys"},
		{"spaces", "password-of-micJudge", "            ", 422, "new_password", "weak_blank", "en", "only spaces"},
	} {
		res := f.do("POST", path, me, map[string]any{"current_password": tc.current, "new_password": tc.next}, "Accept-Language", tc.lang)
		if res.status != tc.status || !strings.Contains(res.raw, `"path":"`+tc.field+`","code":"`+tc.code+`"`) || !strings.Contains(res.raw, tc.message) {
			t.Errorf("%s: %d %s", tc.name, res.status, res.raw)
		}
	}
	if res := f.do("POST", path, me, map[string]any{"current_password": "password-of-micJudge", "new_password": "a quiet lake at dawn"}); res.status != 204 {
		t.Fatalf("change: %d %s", res.status, res.raw)
	}
	if res := f.do("GET", "/api/v1/me", me, nil); res.status != 200 {
		t.Errorf("this session after the change = %d", res.status)
	}
	if res := f.do("GET", "/api/v1/me", elsewhere, nil); res.status != 401 {
		t.Errorf("another session after the change = %d", res.status)
	}
	login := func(pw string) int {
		return f.do("POST", "/api/v1/auth/login", "", map[string]any{"email": "micjudge@test.example", "password": pw}).status
	}
	if old, nu := login("password-of-micJudge"), login("a quiet lake at dawn"); old != 401 || nu != 200 {
		t.Errorf("login with the old password = %d, with the new = %d", old, nu)
	}

	// Guessing the current password through this route is throttled too.
	other := f.tokens["mhlwJudge"]
	for i := range workflow.MaxAccountFailures {
		if res := f.do("POST", path, other, map[string]any{"current_password": "guess", "new_password": "a quiet lake at dawn"}); res.status != 422 {
			t.Fatalf("guess %d = %d", i+1, res.status)
		}
	}
	res := f.do("POST", path, other, map[string]any{"current_password": "password-of-mhlwJudge", "new_password": "a quiet lake at dawn"})
	if res.status != 429 || res.header.Get("Retry-After") == "" {
		t.Fatalf("after %d wrong current passwords = %d %s", workflow.MaxAccountFailures, res.status, res.raw)
	}
	if res := f.do("POST", "/api/v1/auth/login", "", map[string]any{"email": "mhlwjudge@test.example", "password": "password-of-mhlwJudge"}); res.status != 429 {
		t.Errorf("sign-in after the guesses = %d, want 429 (one counter per account)", res.status)
	}
	if res := f.do("POST", path, "", map[string]any{"current_password": "x", "new_password": "y"}); res.status != 401 {
		t.Errorf("anonymous = %d", res.status)
	}
}
