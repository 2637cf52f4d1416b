package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/awardflow/awardflow/db"
	"github.com/awardflow/awardflow/db/dbtest"
)

// syncBuffer is a bytes.Buffer safe for a server goroutine and a test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func runCmd(t *testing.T, getenv func(string) string, args ...string) (string, error) {
	t.Helper()
	return runWithInput(t, getenv, "", args...)
}

func runWithInput(t *testing.T, getenv func(string) string, stdin string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(t.Context(), args, getenv, strings.NewReader(stdin), &out, io.Discard)
	return out.String(), err
}

var listening = regexp.MustCompile(`listening on (http://\S+)`)

// startServer runs `awardflow serve` until the test ends and returns its base URL.
func startServer(t *testing.T, getenv func(string) string, args ...string) (string, *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), getenv, strings.NewReader(""), out, io.Discard)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve returned %v after shutdown", err)
		}
		if !strings.Contains(out.String(), "awardflow stopped") {
			t.Errorf("no graceful stop in output:\n%s", out)
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if m := listening.FindStringSubmatch(out.String()); m != nil {
			return m[1], out
		}
		select {
		case err := <-done:
			t.Fatalf("serve exited early: %v\n%s", err, out)
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatalf("server did not start:\n%s", out)
	return "", nil
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestServeDemoOnSQLite(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "demo.db")
	base, out := startServer(t, env("AWARDFLOW_DB", dsn), "--demo")
	for _, path := range []string{"/healthz", "/readyz"} {
		if code, body := get(t, base+path); code != 200 {
			t.Errorf("GET %s = %d %s", path, code, body)
		}
	}
	if code, _ := get(t, base+"/no/such/route"); code != 404 {
		t.Errorf("unknown route = %d", code)
	}
	if !strings.Contains(out.String(), "demo: loaded cycle demo-telework") {
		t.Errorf("demo not loaded:\n%s", out)
	}
}

func TestDemoLoadsOnlyIntoAnEmptyDatabase(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "demo.db")
	for i, want := range []string{"demo: loaded", "demo data not loaded\ndemo accounts (passwords are new"} {
		ctx, cancel := context.WithCancel(t.Context())
		var out syncBuffer
		done := make(chan error, 1)
		go func() {
			done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--db", dsn, "--demo"}, env(), strings.NewReader(""), &out, io.Discard)
		}()
		for !listening.MatchString(out.String()) {
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), want) {
			t.Fatalf("run %d: want %q in\n%s", i, want, out.String())
		}
	}
}

func TestDemoNeverAddsAccountsToARealDatabase(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "real.db")
	if _, err := runCmd(t, env(), "cycle", "load", "../../docs/examples/fy2026-telework.yaml", "--db", dsn); err != nil {
		t.Fatal(err)
	}
	_, out := startServer(t, env("AWARDFLOW_DB", dsn), "--demo")
	if !strings.Contains(out.String(), "not loaded by --demo; no demo accounts") || strings.Contains(out.String(), "admin@demo") {
		t.Fatalf("demo on a real database:\n%s", out)
	}
}

func TestServeOnPostgres(t *testing.T) {
	dsn := dbtest.EmptyPostgres(t)
	_, err := runCmd(t, env(), "serve", "--addr", "127.0.0.1:0", "--db", dsn)
	if err == nil || !strings.Contains(err.Error(), "schema is out of date") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("serve on an unmigrated PostgreSQL: %v", err)
	}
	out, err := runCmd(t, env(), "migrate", "--db", dsn)
	migrations, _ := fs.Glob(db.Migrations(), "migrations/*.sql")
	if err != nil || !strings.Contains(out, fmt.Sprintf("applied %d migration(s)", len(migrations))) {
		t.Fatalf("migrate: %q, %v", out, err)
	}
	if out, err = runCmd(t, env(), "migrate", "--db", dsn); err != nil || !strings.Contains(out, "up to date") {
		t.Fatalf("second migrate: %q, %v", out, err)
	}
	base, _ := startServer(t, env("AWARDFLOW_DB", dsn), "--demo")
	if code, body := get(t, base+"/readyz"); code != 200 {
		t.Fatalf("readyz = %d %s", code, body)
	}
}

func TestCycleLoad(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "c.db")
	example := "../../docs/examples/fy2026-telework.yaml"
	steps := []struct {
		args []string
		want string
	}{
		{[]string{"cycle", "load", example, "--dry-run", "--db", dsn}, "valid; would store version 1"},
		{[]string{"cycle", "load", "--db", dsn, example}, "stored as version 1"},
		{[]string{"cycle", "load", example, "--db", dsn}, "unchanged, version 1 is current"},
	}
	for _, s := range steps {
		out, err := runCmd(t, env(), s.args...)
		if err != nil || !strings.Contains(out, s.want) {
			t.Fatalf("%v: %q, %v; want %q", s.args, out, err, s.want)
		}
	}
	data, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	changed := filepath.Join(t.TempDir(), "changed.yaml")
	os.WriteFile(changed, bytes.Replace(data, []byte("max: 60"), []byte("max: 55"), 1), 0o644)
	if out, err := runCmd(t, env(), "cycle", "load", changed, "--db", dsn); err != nil || !strings.Contains(out, "stored as version 2 (was 1)") {
		t.Fatalf("changed file: %q, %v", out, err)
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, bytes.Replace(bytes.Replace(data, []byte("ministry: mhlw"), []byte("ministry: mof"), 1),
		[]byte("max: 31"), []byte("max: -31"), 1), 0o644)
	_, err = runCmd(t, env(), "cycle", "load", bad, "--db", dsn)
	if err == nil {
		t.Fatal("a bad file loaded")
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 3 || !strings.Contains(lines[0], "programmes[0].form.fields[8].max: must be ≥ min") ||
		!strings.Contains(lines[1], `programmes[1].ministry: unknown ministry "mof"`) || !strings.HasSuffix(lines[2], "2 problem(s); nothing was stored") {
		t.Fatalf("bad file error:\n%v", err)
	}
}

func TestConfigurationErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{nil, "no command given"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"serve", "--adr", "x"}, "serve: flag provided but not defined: -adr"},
		{[]string{"serve", "--addr", "8080"}, `--addr "8080": want HOST:PORT`},
		{[]string{"serve", "--addr", "127.0.0.1:0", "--db", "mysql://x"}, "unsupported database DSN"},
		{[]string{"serve", "--addr", "127.0.0.1:0", "--db", "postgres://nobody@127.0.0.1:1/x?connect_timeout=1"}, "connect to postgres database"},
		{[]string{"serve", "extra"}, `unexpected argument "extra"`},
		{[]string{"migrate", "--db", "sqlite:"}, "sqlite DSN must be sqlite:PATH"},
		{[]string{"cycle"}, "usage: awardflow cycle load"},
		{[]string{"cycle", "load"}, "usage: awardflow cycle load"},
		{[]string{"cycle", "load", "/no/such/file.yaml"}, "no such file or directory"},
		{[]string{"cycle", "load", "a.yaml", "--dry-run=maybe"}, "invalid boolean value"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			_, err := runCmd(t, env("AWARDFLOW_DB", "sqlite:"+filepath.Join(t.TempDir(), "x.db")), tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error = %v, want one line containing %q", err, tc.want)
			}
		})
	}
}

func TestUserAdd(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "u.db")
	e := env("AWARDFLOW_DB", dsn, "USER", "tester")
	out, err := runWithInput(t, e, "a long secret phrase\n", "user", "add", "--email", "Sec@MIC.example", "--name", "事務局",
		"--role", "secretariat", "--domain", "mic", "--password-stdin")
	if err != nil || !strings.Contains(out, "created user 1 sec@mic.example: secretariat in mic") {
		t.Fatalf("user add: %q, %v", out, err)
	}
	for _, tc := range []struct {
		stdin string
		args  []string
		want  string
	}{
		{"a long secret phrase\n", []string{"--email", "sec@mic.example", "--name", "x", "--role", "judge", "--domain", "mic", "--password-stdin"}, "already exists"},
		{"short\n", []string{"--email", "j@mic.example", "--name", "x", "--role", "judge", "--domain", "mic", "--password-stdin"}, "password: must be at least 10 characters"},
		{"a long secret phrase\n", []string{"--email", "j@mic.example", "--name", "x", "--role", "judge", "--domain", "mof", "--password-stdin"}, "domain: must be a ministry"},
		{"a long secret phrase\n", []string{"--email", "a@x.example", "--name", "x", "--role", "applicant", "--password-stdin"}, "an applicant needs an organisation"},
		{"", []string{"--email", "j@mic.example", "--name", "x", "--role", "judge", "--domain", "mic"}, "--password-stdin is required"},
	} {
		_, err := runWithInput(t, e, tc.stdin, append([]string{"user", "add"}, tc.args...)...)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("user add %v: %v, want one line containing %q", tc.args, err, tc.want)
		}
	}
}

func TestDemoPrintsAccountsThatCanSignIn(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "demo.db")
	base, out := startServer(t, env("AWARDFLOW_DB", dsn), "--demo")
	m := regexp.MustCompile(`applicant\s+\*\s+(\S+)\s+(\S+)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no applicant account printed:\n%s", out)
	}
	body := strings.NewReader(fmt.Sprintf(`{"email":%q,"password":%q}`, m[1], m[2]))
	resp, err := http.Post(base+"/api/v1/auth/login", "application/json", body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("the printed demo applicant cannot sign in: %d", resp.StatusCode)
	}
	// The demo judge has entries to score at MIC's Minister's Award stage.
	j := regexp.MustCompile(`judge\s+mic\s+(\S+)\s+(\S+)`).FindStringSubmatch(out.String())
	resp, err = http.Post(base+"/api/v1/auth/login", "application/json", strings.NewReader(fmt.Sprintf(`{"email":%q,"password":%q}`, j[1], j[2])))
	if err != nil {
		t.Fatal(err)
	}
	var login struct{ Token string }
	json.NewDecoder(resp.Body).Decode(&login) //nolint:errcheck // checked through the next request
	resp.Body.Close()
	req, _ := http.NewRequest("GET", base+"/api/v1/cycles/demo-telework/programmes/mic-pioneer/stages/minister/entries", nil)
	req.Header.Set("Authorization", "Bearer "+login.Token)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var entries struct{ Items []any }
	if json.NewDecoder(resp.Body).Decode(&entries); resp.StatusCode != 200 || len(entries.Items) != 3 {
		t.Fatalf("the demo judge's entries: %d, %d items", resp.StatusCode, len(entries.Items))
	}
}

func TestVersion(t *testing.T) {
	out, err := runCmd(t, env(), "version")
	if err != nil || !strings.HasPrefix(out, "awardflow ") {
		t.Fatalf("version: %q, %v", out, err)
	}
}

func TestWindowSet(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "w.db")
	e := env("AWARDFLOW_DB", dsn, "USER", "tester")
	if _, err := runCmd(t, e, "cycle", "load", "../../docs/examples/fy2026-telework.yaml"); err != nil {
		t.Fatal(err)
	}
	closes := time.Now().Add(7 * 24 * time.Hour).In(time.FixedZone("JST", 9*3600)).Format("2006-01-02T15:04-07:00")
	base := []string{"window", "set", "--cycle", "fy2026-telework", "--programme", "mic-pioneer", "--stage", "top100", "--closes-at", closes}
	out, err := runCmd(t, e, append(base, "--reason", "審査期間の再開")...)
	if err != nil || !strings.Contains(out, "fy2026-telework judging of mic-pioneer/top100") || !strings.Contains(out, "(was until 2026-09-12 00:00), change 1") {
		t.Fatalf("window set: %q, %v", out, err)
	}
	d, err := db.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var by, reason string
	if err := d.Bun.QueryRowContext(t.Context(), "SELECT actor_id, reason FROM window_changes").Scan(&by, &reason); err != nil || by != "cli:tester" || reason != "審査期間の再開" {
		t.Errorf("recorded as %q %q, %v", by, reason, err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{base, "reason: a reason is required"},
		{append(base[:len(base)-1:len(base)-1], "yesterday", "--reason", "x"), `--closes-at "yesterday"`},
		{[]string{"window"}, "usage: awardflow window set"},
		{[]string{"window", "set", "--cycle", "fy2026-telework"}, "usage: awardflow window set"},
		{[]string{"window", "set", "--cycle", "fy2026-telework", "--programme", "nope", "--closes-at", closes, "--reason", "x"}, `has no programme "nope"`},
	} {
		_, err := runCmd(t, e, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: %v, want one line containing %q", tc.args, err, tc.want)
		}
	}
}
