package db

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
)

// bun writes every argument into a statement's text, so PostgreSQL parses
// and plans each statement every time it runs. For the statements on the
// hot paths that is most of their cost (planning the judge's read took
// 0.45 ms of its 0.55 ms), so on PostgreSQL they are prepared, and planned
// once, on each connection the store uses, and run with EXECUTE.

// preparedStatement is such a statement: its name, and its text with bun's
// ? placeholders for the arguments, in order (the text has no other ?).
type preparedStatement struct {
	name string
	sql  func(t *tx) string
}

// preparedStatements are the statements prepared on PostgreSQL.
var preparedStatements = []preparedStatement{judgeScoreReadsStmt, sessionUserStmt}

// raw is p with args: EXECUTE when t's connection has p prepared,
// otherwise p's text.
func (t *tx) raw(p preparedStatement, args ...any) *bun.RawQuery {
	if t.prepared {
		return t.db.NewRaw("EXECUTE "+p.name+" (?)", bun.List(args))
	}
	return t.db.NewRaw(p.sql(t), args...)
}

// conn takes a connection from the pool and, on PostgreSQL, prepares the
// statements on it (pgx's Prepare is idempotent: only the first time on a
// connection costs a round trip). It reports whether they are prepared; a
// database without the tables yet (before its migrations) has them not.
func (s *Store) conn(ctx context.Context) (bun.Conn, bool, error) {
	c, err := s.db.Bun.Conn(ctx)
	if err != nil || s.db.Dialect != Postgres {
		return c, false, translate(err, "connection")
	}
	pg := &tx{db: s.db.Bun}
	err = c.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return errors.New("not a pgx connection")
		}
		conn := sc.Conn()
		for _, p := range preparedStatements {
			if _, err := conn.Prepare(ctx, p.name, numbered(p.sql(pg))); err != nil {
				return err
			}
		}
		return nil
	})
	return c, err == nil, nil
}

// numbered writes bun's ? placeholders as PostgreSQL's $1, $2, ….
func numbered(q string) string {
	var b strings.Builder
	n := 0
	for {
		i := strings.IndexByte(q, '?')
		if i < 0 {
			b.WriteString(q)
			return b.String()
		}
		n++
		b.WriteString(q[:i])
		b.WriteString("$" + strconv.Itoa(n))
		q = q[i+1:]
	}
}
