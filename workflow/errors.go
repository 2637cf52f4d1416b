package workflow

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Code classifies an Error. It is the one error vocabulary of awardflow; the
// API maps each code to an HTTP status in exactly one place.
type Code string

// The error codes.
const (
	Invalid           Code = "invalid"            // bad input; Problems say what and where
	NotFound          Code = "not_found"          // no such object, or the caller may not know of it
	Conflict          Code = "conflict"           // stale version, duplicate, or a concurrent writer won
	Forbidden         Code = "forbidden"          // the caller's role may not do this
	Unauthenticated   Code = "unauthenticated"    // no valid identity
	IllegalTransition Code = "illegal_transition" // the action is not allowed in this state, or a guard refused
	Internal          Code = "internal"           // a fault of ours; never shown in detail to a client
	Throttled         Code = "too_many_requests"  // too many failed attempts; RetryAfter says when to try again
)

// Error is awardflow's error type. Message is safe to show to a caller;
// wrapped errors (Err) are for logs only.
type Error struct {
	Code     Code
	Op       string    // operation, e.g. "workflow.Transition"
	Message  string    // English summary, safe for clients
	Ja       string    // the same in Japanese; empty only for errors no caller sees
	Problems []Problem // per-field or per-guard reasons, in ja and en
	Err      error     // underlying cause, for logs
	// RetryAfter is how long a Throttled caller must wait.
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	b.WriteString(string(e.Code))
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	for i, p := range e.Problems {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(p.String())
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Refuse returns an *Error whose message says the same thing in Japanese and
// English: ja and en are format strings over the same args. Every error a
// caller can see is made with Refuse, so a Japanese reader learns exactly as
// much as an English one.
func Refuse(code Code, ja, en string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(en, args...), Ja: fmt.Sprintf(ja, args...)}
}

// MessageIn returns the error's message in lang ("ja" or "en"); "" when the
// error has no message in that language.
func (e *Error) MessageIn(lang string) string {
	if lang == "ja" {
		return e.Ja
	}
	return e.Message
}

// ErrorCode returns the code of the first *Error in err's chain, Internal for
// any other non-nil error, and "" for nil.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// ErrorProblems returns the problems of the first *Error in err's chain.
func ErrorProblems(err error) []Problem {
	var e *Error
	if errors.As(err, &e) {
		return e.Problems
	}
	return nil
}

// withOp sets the operation name on err if it is an *Error without one.
func withOp(op string, err error) error {
	var e *Error
	if errors.As(err, &e) && e.Op == "" {
		e.Op = op
	}
	return err
}

// Text is a message or label in Japanese and English.
type Text struct {
	Ja string `json:"ja"`
	En string `json:"en"`
}

// In returns the text in lang ("ja" or "en"), falling back to the other
// language when that one is empty.
func (t Text) In(lang string) string {
	if lang == "en" {
		if t.En != "" {
			return t.En
		}
		return t.Ja
	}
	if t.Ja != "" {
		return t.Ja
	}
	return t.En
}

// Problem is one reason something was refused: a field error (Path set) or
// a guard's reason (Path empty).
type Problem struct {
	Path    string `json:"path,omitempty"`
	Code    string `json:"code"`
	Message Text   `json:"message"`
}

func (p Problem) String() string {
	if p.Path == "" {
		return p.Message.In("en")
	}
	return p.Path + ": " + p.Message.In("en")
}

func problem(path, code, ja, en string) Problem {
	return Problem{Path: path, Code: code, Message: Text{Ja: ja, En: en}}
}

// invalid wraps problems into an Invalid error, or returns nil if there are none.
func invalid(msg string, ps []Problem) error {
	if len(ps) == 0 {
		return nil
	}
	return &Error{Code: Invalid, Message: msg, Problems: ps}
}
