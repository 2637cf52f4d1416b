package workflow

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
)

// Lists are read page by page with a cursor (keyset pagination), never by
// offset: a page starts after the last row of the one before, found through
// an index, so page 2,000 costs what page 1 costs, and rows inserted or
// moved meanwhile neither repeat a row nor skip one that was there.
//
// Every list is ordered by id (nominations newest first, the others oldest
// first), so the sort key is the id itself. The cursor is opaque to callers:
// base64url of "v1.<list>.<filters>.<id>.<check>", where <filters> digests
// the filters of the query it continues and <check> the rest, so an edited
// cursor, or one replayed on another list or with other filters, is refused
// (Invalid) instead of silently starting somewhere else.

// Page sizes.
const (
	DefaultLimit = 50
	MaxLimit     = 200
)

// Page asks for one page of a list.
type Page struct {
	Limit  int    // 1..MaxLimit; 0 means DefaultLimit
	Cursor string // NextCursor of the previous page; "" for the first
	Total  bool   // also count every match (one COUNT more)
	// After is the id the page starts after (0: from the start), decoded
	// from Cursor by the service; stores read up to Limit+1 rows after it
	// so that the service knows whether another page follows.
	After int64
}

// PageInfo describes the page read.
type PageInfo struct {
	Limit      int
	NextCursor string // "" on the last page
	Total      *int   // when asked for
}

// open checks the page asked for, decodes its cursor for list (filters are
// the caller's filters, which the cursor must have been made with) and
// returns the page the store reads: Limit+1 rows after After.
func (p Page) open(list string, filters ...string) (Page, error) {
	if p.Limit == 0 {
		p.Limit = DefaultLimit
	}
	if p.Limit < 1 || p.Limit > MaxLimit {
		return p, badPage("limit", "limit_range", "limit は 1 から %[1]d までの数で指定してください",
			"limit must be a number from 1 to %[1]d", MaxLimit)
	}
	p.After = 0
	if p.Cursor != "" {
		id, err := decodeCursor(p.Cursor, list, filterDigest(filters))
		if err != nil {
			return p, err
		}
		p.After = id
	}
	p.Limit++
	return p, nil
}

// close trims the rows read by a page opened with open (n of them, lastID
// the id of the last row kept) and says where the next page starts.
// It returns how many rows to keep.
func (p Page) close(n int, idAt func(i int) int64, total int, list string, filters ...string) (int, PageInfo) {
	info := PageInfo{Limit: p.Limit - 1}
	if p.Total {
		t := total
		info.Total = &t
	}
	if n > info.Limit {
		n = info.Limit
		info.NextCursor = encodeCursor(list, filterDigest(filters), idAt(n-1))
	}
	return n, info
}

// listRun is how a list is read: a page alone is one statement,
// consistent by itself, so it runs without a transaction (which on SQLite
// would take the write lock for a read: BEGIN IMMEDIATE); a page with its
// total is two, read in one transaction.
func listRun(st Store, total bool) func(context.Context, func(Tx) error) error {
	if total {
		return st.InTx
	}
	return st.Read
}

func badPage(path, code, ja, en string, args ...any) *Error {
	e := Refuse(Invalid, ja, en, args...)
	e.Problems = []Problem{problem(path, code, e.Ja, e.Message)}
	return e
}

func filterDigest(filters []string) string {
	h := sha256.Sum256([]byte(strings.Join(filters, "\x00")))
	return hex.EncodeToString(h[:4])
}

func cursorCheck(body string) string {
	h := sha256.Sum256([]byte("awardflow cursor\x00" + body))
	return hex.EncodeToString(h[:6])
}

func encodeCursor(list, filters string, id int64) string {
	body := "v1." + list + "." + filters + "." + strconv.FormatInt(id, 10)
	return base64.RawURLEncoding.EncodeToString([]byte(body + "." + cursorCheck(body)))
}

func decodeCursor(cursor, list, filters string) (int64, error) {
	bad := func() (int64, error) {
		return 0, badPage("cursor", "invalid_cursor",
			"cursor が正しくありません。前のページの next_cursor をそのまま渡すか、cursor を付けずに最初のページから読み直してください",
			"cursor is not valid; pass the previous page's next_cursor unchanged, or start again from the first page without a cursor")
	}
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil || len(cursor) > 200 {
		return bad()
	}
	s := string(raw)
	i := strings.LastIndexByte(s, '.')
	if i < 0 || cursorCheck(s[:i]) != s[i+1:] {
		return bad()
	}
	parts := strings.Split(s[:i], ".")
	if len(parts) != 4 || parts[0] != "v1" {
		return bad()
	}
	if parts[1] != list {
		return 0, badPage("cursor", "cursor_other_list",
			"この cursor は別の一覧のものです。cursor を付けずに最初のページから読み直してください",
			"this cursor belongs to another list; start again from the first page without a cursor")
	}
	if parts[2] != filters {
		return 0, badPage("cursor", "cursor_other_filters",
			"この cursor は別の絞り込み条件で作られました。条件を変えたときは cursor を付けずに最初のページから読み直してください",
			"this cursor was made with other filters; after changing filters start again from the first page without a cursor")
	}
	id, err := strconv.ParseInt(parts[3], 10, 64)
	if err != nil || id <= 0 {
		return bad()
	}
	return id, nil
}
