// Command awardflow runs the awards nomination and judging server and its
// administrative commands. All wiring happens here: configuration is read,
// the database opened, the service built and handed to the HTTP layer.
package main

import (
	"bufio"
	"context"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // Asia/Tokyo on hosts without a zone database

	"github.com/awardflow/awardflow/api"
	"github.com/awardflow/awardflow/api/web"
	"github.com/awardflow/awardflow/db"
	"github.com/awardflow/awardflow/db/demo"
	"github.com/awardflow/awardflow/policy"
	"github.com/awardflow/awardflow/workflow"
	"github.com/awardflow/awardflow/workflow/cyclefile"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = ""

const usage = `awardflow: awards nomination and judging workflow engine

Usage:
  awardflow serve [--addr HOST:PORT] [--metrics-addr HOST:PORT] [--db DSN] [--demo] [--https]
  awardflow migrate [--db DSN]
  awardflow cycle load FILE [--dry-run] [--db DSN]
  awardflow user add --email E --name N --role R [--domain D] [--org ID] [--locale ja|en] --password-stdin [--db DSN]
  awardflow window set --cycle C --programme P [--stage S] [--opens-at T] --closes-at T --reason R [--db DSN]
  awardflow audit verify [--cycle C --programme P] [--db DSN]
  awardflow backup --out FILE [--db DSN]
  awardflow version

DSN is postgres://… or sqlite:PATH (default sqlite:awardflow.db).
Environment: AWARDFLOW_ADDR, AWARDFLOW_METRICS_ADDR (metrics are off unless set),
AWARDFLOW_DB, AWARDFLOW_SHEET_KEY (hex; signs scoring sheets).
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "awardflow: "+err.Error())
		os.Exit(1)
	}
}

// run is the whole program, callable from tests. Errors are one line each.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stdout, usage)
		return errors.New("no command given")
	}
	cmd, args := args[0], args[1:]
	switch cmd {
	case "serve":
		return serve(ctx, args, getenv, stdout, stderr)
	case "migrate":
		return migrateCmd(ctx, args, getenv, stdout)
	case "cycle":
		if len(args) == 0 || args[0] != "load" {
			return errors.New("usage: awardflow cycle load FILE [--dry-run] [--db DSN]")
		}
		return cycleLoad(ctx, args[1:], getenv, stdout)
	case "user":
		if len(args) == 0 || args[0] != "add" {
			return errors.New("usage: awardflow user add --email E --name N --role R [--domain D] [--org ID] --password-stdin")
		}
		return userAdd(ctx, args[1:], getenv, stdin, stdout)
	case "window":
		if len(args) == 0 || args[0] != "set" {
			return errors.New("usage: " + windowUsage)
		}
		return windowSet(ctx, args[1:], getenv, stdout)
	case "audit":
		if len(args) == 0 || args[0] != "verify" {
			return errors.New("usage: " + auditUsage)
		}
		return auditVerify(ctx, args[1:], getenv, stdout)
	case "backup":
		return backupCmd(ctx, args, getenv, stdout)
	case "version":
		fmt.Fprintln(stdout, "awardflow", buildVersion())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q (try awardflow help)", cmd)
}

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return "dev-" + s.Value[:12]
			}
		}
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			return v
		}
	}
	return "dev"
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

// parse parses flags that may come before or after positional arguments,
// and returns the positional ones. Errors are one line.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, fmt.Errorf("%s: %v", fs.Name(), err)
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// openDB opens the database; an embedded SQLite file is migrated on the
// spot, while PostgreSQL must already be current (awardflow migrate), so
// that a server never changes a shared schema behind an operator's back.
func openDB(ctx context.Context, dsn string, stdout io.Writer) (*db.DB, error) {
	d, err := db.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if d.Dialect == db.SQLite {
		applied, err := d.Migrate(ctx)
		if err != nil {
			d.Close()
			return nil, err
		}
		if len(applied) > 0 {
			fmt.Fprintf(stdout, "migrated %s: %s\n", dsn, strings.Join(applied, ", "))
		}
		return d, nil
	}
	if err := d.CheckSchema(ctx); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// sheetKey is the key that signs offline scoring sheets:
// AWARDFLOW_SHEET_KEY (hex, at least 32 bytes) where set, so that every
// server of a deployment shares it; otherwise one generated on first use
// and kept in the database.
func sheetKey(ctx context.Context, d *db.DB, getenv func(string) string) ([]byte, error) {
	if v := getenv("AWARDFLOW_SHEET_KEY"); v != "" {
		key, err := hex.DecodeString(v)
		if err != nil || len(key) < 32 {
			return nil, errors.New("AWARDFLOW_SHEET_KEY must be at least 64 hexadecimal digits (32 bytes)")
		}
		return key, nil
	}
	return d.ServerKey(ctx, "sheet-signing")
}

// cliActor is who the command line acts as: an administrator.
func cliActor(getenv func(string) string) workflow.Actor {
	user := envOr(getenv, "USER", "unknown")
	return workflow.Actor{ID: "cli:" + user, Name: "awardflow CLI (" + user + ")",
		Grants: []workflow.Grant{{Role: workflow.RoleAdmin, Domain: workflow.AnyDomain}}}
}

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fs.String("addr", envOr(getenv, "AWARDFLOW_ADDR", "127.0.0.1:8080"), "listen address HOST:PORT")
	dsn := fs.String("db", envOr(getenv, "AWARDFLOW_DB", "sqlite:awardflow.db"), "database DSN")
	withDemo := fs.Bool("demo", false, "load the example cycle and demo data into an empty database")
	https := fs.Bool("https", getenv("AWARDFLOW_HTTPS") == "1", "the site is reached over HTTPS (directly or through a proxy): secure __Host- session cookie and HSTS")
	metricsAddr := fs.String("metrics-addr", getenv("AWARDFLOW_METRICS_ADDR"), "serve Prometheus metrics at http://HOST:PORT/metrics (off when empty)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("serve: unexpected argument %q", pos[0])
	}
	if _, _, err := net.SplitHostPort(*addr); err != nil {
		return fmt.Errorf("serve: --addr %q: want HOST:PORT", *addr)
	}
	if _, _, err := net.SplitHostPort(*metricsAddr); *metricsAddr != "" && err != nil {
		return fmt.Errorf("serve: --metrics-addr %q: want HOST:PORT", *metricsAddr)
	}
	logger := slog.New(slog.NewJSONHandler(stderr, nil))
	d, err := openDB(ctx, *dsn, stdout)
	if err != nil {
		return err
	}
	defer d.Close()
	key, err := sheetKey(ctx, d, getenv)
	if err != nil {
		return err
	}
	authz, err := policy.New()
	if err != nil {
		return err
	}
	store := db.NewStore(d)
	svc := workflow.NewService(store, time.Now, workflow.WithSheetKey(key), workflow.WithAuthorizer(authz))
	if err := evaluateEligibility(ctx, svc, stdout); err != nil {
		return err
	}
	stopSealer := runSealer(store, logger, sealEvery)
	defer stopSealer() // after the server's shutdown: the entries of its last requests are chained before exit
	if *withDemo {
		if _, err := demo.Load(ctx, d, time.Now(), cliActor(getenv), stdout); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	var metrics *api.Metrics
	if *metricsAddr != "" {
		metrics = api.NewMetrics(buildVersion(), d.Bun.DB)
		_, stopMetrics, err := serveMetrics(*metricsAddr, metrics, logger, stdout)
		if err != nil {
			return err
		}
		defer func() {
			c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			stopMetrics(c) //nolint:errcheck // shutting down anyway
		}()
	}
	h, err := api.NewHandler(api.Config{
		Service: svc, Authorizer: authz, Logger: logger, Version: buildVersion(), Metrics: metrics,
		Ready: func(ctx context.Context) error {
			if err := d.Bun.PingContext(ctx); err != nil {
				return err
			}
			return d.CheckSchema(ctx)
		},
	})
	if err != nil {
		return err
	}
	site, err := web.New(web.Config{Service: svc, Authorizer: authz, Logger: logger, Secure: *https})
	if err != nil {
		return err
	}
	var pages http.Handler = site.Handler()
	if metrics != nil {
		pages = metrics.Observe(pages, site.RouteOf)
	}
	h = mount(h, pages)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	srv := &http.Server{
		Handler: h, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10,
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	fmt.Fprintf(stdout, "awardflow %s listening on http://%s (database %s)\n", buildVersion(), ln.Addr(), d.Dialect)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	fmt.Fprintln(stdout, "awardflow stopped")
	return nil
}

// mount puts the JSON API (/api/, /healthz, /readyz) and the web UI
// (everything else) on one handler.
// The path is matched as sent (no cleaning or redirects), so the API
// answers exactly as it does on its own.
func mount(apiHandler, site http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := r.URL.Path; strings.HasPrefix(p, "/api/") || p == "/healthz" || p == "/readyz" {
			apiHandler.ServeHTTP(w, r)
			return
		}
		site.ServeHTTP(w, r)
	})
}

// sealEvery is how often serve chains the committed audit entries.
const sealEvery = time.Second

// runSealer chains the committed audit entries (Store.SealAudit) every
// interval in the background, logging failures, until the returned stop
// is called; stop waits for a running round, seals once more and returns.
// Several servers on one database share the work: each programme's
// entries are sealed by whichever sealer takes its head first.
func runSealer(store *db.Store, logger *slog.Logger, every time.Duration) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	round := func(ctx context.Context) {
		if _, err := store.SealAudit(ctx); err != nil && ctx.Err() == nil {
			logger.Error("audit sealer", "err", err.Error())
		}
	}
	go func() {
		defer close(done)
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				round(ctx)
			}
		}
	}()
	return func() {
		cancel()
		<-done
		final, cancelFinal := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancelFinal()
		round(final)
	}
}

func migrateCmd(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	dsn := fs.String("db", envOr(getenv, "AWARDFLOW_DB", "sqlite:awardflow.db"), "database DSN")
	if pos, err := parse(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return fmt.Errorf("migrate: unexpected argument %q", pos[0])
	}
	d, err := db.Open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer d.Close()
	applied, err := d.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(stdout, "schema is up to date")
	} else {
		fmt.Fprintf(stdout, "applied %d migration(s): %s\n", len(applied), strings.Join(applied, ", "))
	}
	return evaluateEligibility(ctx, workflow.NewService(db.NewStore(d), time.Now, workflow.WithAuthorizer(policy.MustNew())), stdout)
}

// evaluateEligibility stores the eligibility of the nominations stored
// before it was (a migration added the column; SQL cannot evaluate the
// cycle's rules), so that the list's verdict filter misses none.
func evaluateEligibility(ctx context.Context, svc *workflow.Service, stdout io.Writer) error {
	n, err := svc.EvaluateEligibility(ctx)
	if n > 0 {
		fmt.Fprintf(stdout, "evaluated the eligibility of %d nomination(s)\n", n)
	}
	return err
}

func cycleLoad(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("cycle load", flag.ContinueOnError)
	dsn := fs.String("db", envOr(getenv, "AWARDFLOW_DB", "sqlite:awardflow.db"), "database DSN")
	dryRun := fs.Bool("dry-run", false, "validate and report what would change, without storing")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errors.New("usage: awardflow cycle load FILE [--dry-run] [--db DSN]")
	}
	file := pos[0]
	c, err := cyclefile.Read(file)
	if err != nil {
		return fileError(file, err)
	}
	d, err := openDB(ctx, *dsn, stdout)
	if err != nil {
		return err
	}
	defer d.Close()
	svc := workflow.NewService(db.NewStore(d), time.Now, workflow.WithAuthorizer(policy.MustNew()))
	res, err := svc.LoadCycle(ctx, cliActor(getenv), c, *dryRun)
	if err != nil {
		return fileError(file, err)
	}
	switch {
	case !res.Created:
		fmt.Fprintf(stdout, "%s: unchanged, version %d is current\n", res.Key, res.Version)
	case *dryRun:
		fmt.Fprintf(stdout, "%s: valid; would store version %d (dry run, nothing stored)\n", res.Key, res.Version)
	case res.Previous == 0:
		fmt.Fprintf(stdout, "%s: stored as version %d\n", res.Key, res.Version)
	default:
		fmt.Fprintf(stdout, "%s: stored as version %d (was %d); nominations submitted against version %d keep it\n",
			res.Key, res.Version, res.Previous, res.Previous)
	}
	return nil
}

func userAdd(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	dsn := fs.String("db", envOr(getenv, "AWARDFLOW_DB", "sqlite:awardflow.db"), "database DSN")
	email := fs.String("email", "", "email address (the login)")
	name := fs.String("name", "", "display name")
	role := fs.String("role", "", "admin, secretariat, chair, judge or applicant")
	domain := fs.String("domain", "", `ministry for secretariat, chair and judge (mic, mhlw, …); "*" otherwise`)
	org := fs.Int64("org", 0, "organisation id, for an applicant")
	locale := fs.String("locale", "ja", "ja or en")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("user add: unexpected argument %q", pos[0])
	}
	if !*fromStdin {
		return errors.New("user add: --password-stdin is required (passwords are never taken on the command line)")
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("user add: read password: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if *domain == "" && (*role == "admin" || *role == "applicant") {
		*domain = workflow.AnyDomain
	}
	d, err := openDB(ctx, *dsn, stdout)
	if err != nil {
		return err
	}
	defer d.Close()
	svc := workflow.NewService(db.NewStore(d), time.Now, workflow.WithAuthorizer(policy.MustNew()))
	u, err := svc.CreateUser(ctx, cliActor(getenv), workflow.NewUser{Email: *email, Name: *name, Locale: *locale, Password: pw,
		Role: workflow.Role(*role), Domain: *domain, OrganisationID: *org})
	if err != nil {
		return fmt.Errorf("user add: %s", oneLine(err))
	}
	fmt.Fprintf(stdout, "created user %d %s: %s in %s\n", u.ID, u.Email, *role, *domain)
	return nil
}

// oneLine renders an error with its problems on one line.
func oneLine(err error) string {
	ps := workflow.ErrorProblems(err)
	if len(ps) == 0 {
		return err.Error()
	}
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = p.String()
	}
	return strings.Join(parts, "; ")
}

// fileError turns a cycle file's problems into one line each, prefixed by
// the file name.
func fileError(file string, err error) error {
	ps := workflow.ErrorProblems(err)
	if len(ps) == 0 {
		return fmt.Errorf("%s: %w", file, err)
	}
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = file + ": " + p.String()
	}
	return errors.New(strings.Join(lines, "\n") + fmt.Sprintf("\n%s: %d problem(s); nothing was stored", file, len(ps)))
}

const windowUsage = "awardflow window set --cycle C --programme P [--stage S] [--opens-at T] --closes-at T --reason R [--db DSN]"

// windowSet extends or reopens a programme's call, or a stage's judging
// window with --stage, recorded as cli:$USER with its reason. Times are
// RFC 3339 (2026-12-20T17:00+09:00) or a local date-time in Japan.
func windowSet(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("window set", flag.ContinueOnError)
	dsn := fs.String("db", envOr(getenv, "AWARDFLOW_DB", "sqlite:awardflow.db"), "database DSN")
	cycle := fs.String("cycle", "", "cycle key")
	programme := fs.String("programme", "", "programme key")
	stage := fs.String("stage", "", "judged stage key; the call when absent")
	opens := fs.String("opens-at", "", "new opening time (kept when absent)")
	closes := fs.String("closes-at", "", "new closing time (must-arrive)")
	reason := fs.String("reason", "", "why the window changes (recorded)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("window set: unexpected argument %q", pos[0])
	}
	if *cycle == "" || *programme == "" || *closes == "" {
		return errors.New("usage: " + windowUsage)
	}
	in := workflow.WindowInput{Reason: *reason}
	t, ok := workflow.ParseInstant(*closes)
	if !ok {
		return fmt.Errorf("window set: --closes-at %q: want a time such as 2026-12-20T17:00+09:00", *closes)
	}
	in.Closes = t
	if *opens != "" {
		t, ok := workflow.ParseInstant(*opens)
		if !ok {
			return fmt.Errorf("window set: --opens-at %q: want a time such as 2026-12-01T10:00+09:00", *opens)
		}
		in.Opens = &t
	}
	d, err := openDB(ctx, *dsn, stdout)
	if err != nil {
		return err
	}
	defer d.Close()
	svc := workflow.NewService(db.NewStore(d), time.Now, workflow.WithAuthorizer(policy.MustNew()))
	ch, err := svc.SetWindow(ctx, cliActor(getenv), workflow.WindowRef{Cycle: *cycle, Programme: *programme, Stage: *stage}, in)
	if err != nil {
		return fmt.Errorf("window set: %s", oneLine(err))
	}
	what := "call of " + ch.Programme
	if ch.Stage != "" {
		what = "judging of " + ch.Programme + "/" + ch.Stage
	}
	fmt.Fprintf(stdout, "%s %s: %s – %s (was until %s), change %d\n", ch.Cycle, what,
		ch.Window.Opens.In(workflow.Tokyo).Format("2006-01-02 15:04"), ch.Window.Closes.In(workflow.Tokyo).Format("2006-01-02 15:04 JST"),
		ch.Previous.Closes.In(workflow.Tokyo).Format("2006-01-02 15:04"), ch.Seq)
	return nil
}

const auditUsage = "awardflow audit verify [--cycle C --programme P] [--db DSN]"

// auditVerify recomputes the hash chain of one programme's audit log, or of
// every programme's, and prints each chain's sealed and unsealed entries and
// head hash, and every problem, the first altered or missing entry first.
// It seals nothing (it only reads): unsealed entries are checked against
// their content hashes and their rows. Any problem is an error (exit
// status 1).
func auditVerify(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	dsn := fs.String("db", envOr(getenv, "AWARDFLOW_DB", "sqlite:awardflow.db"), "database DSN")
	cycle := fs.String("cycle", "", "cycle key")
	programme := fs.String("programme", "", "programme key")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("audit verify: unexpected argument %q", pos[0])
	}
	if (*cycle == "") != (*programme == "") {
		return errors.New("usage: " + auditUsage)
	}
	d, err := openDB(ctx, *dsn, stdout)
	if err != nil {
		return err
	}
	defer d.Close()
	svc := workflow.NewService(db.NewStore(d), time.Now, workflow.WithAuthorizer(policy.MustNew()))
	reports, err := svc.VerifyAudit(ctx, cliActor(getenv), *cycle, *programme)
	if err != nil {
		return fmt.Errorf("audit verify: %s", oneLine(err))
	}
	broken := 0
	for _, r := range reports {
		if len(r.Problems) == 0 {
			fmt.Fprintf(stdout, "%s/%s: ok, %d entries, %d unsealed, head %s\n", r.Cycle, r.Programme, r.Entries, r.Unsealed, r.Head)
			continue
		}
		broken++
		fmt.Fprintf(stdout, "%s/%s: BROKEN, %d entries, %d unsealed, %d problems; first: %s\n", r.Cycle, r.Programme, r.Entries, r.Unsealed,
			len(r.Problems), r.Problems[0].Message.En)
		for _, p := range r.Problems {
			fmt.Fprintf(stdout, "  %s\n", p)
		}
	}
	if broken > 0 {
		return fmt.Errorf("audit verify: %d of %d chains are broken", broken, len(reports))
	}
	return nil
}
