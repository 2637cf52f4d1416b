package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/awardflow/awardflow/workflow"
)

// maxForm caps a form post.
const maxForm = 1 << 20

// Field is one form control as the "field" partial renders it: label with
// ※必須/※任意, support text, the error under it, aria-describedby tying
// them together, and the value typed so far.
type Field struct {
	Name  string
	ID    string
	Label string
	Help  string
	// Type is text, email, password, number, tel, url, textarea, select,
	// radio, checkboxes, checkbox or date.
	Type         string
	Required     bool
	Badge        string // ※必須 or ※任意, in the page's language
	Value        string
	Values       []string // checkboxes: the checked values
	Error        string
	Options      []Option
	Autocomplete string
	InputMode    string
	MaxLength    int // shown with a live character counter when JS runs
	Rows         int
	Counter      string // "N文字以内", in the page's language
}

// Option is a choice of a select, radio group or checkbox group.
type Option struct {
	Value, Label string
}

// Checked reports whether v is chosen.
func (f *Field) Checked(v string) bool {
	if f.Type == "checkboxes" {
		for _, x := range f.Values {
			if x == v {
				return true
			}
		}
		return false
	}
	return f.Value == v
}

// Describedby is the field's aria-describedby: its error, then its help.
func (f *Field) Describedby() string {
	var ids []string
	if f.Error != "" {
		ids = append(ids, f.ID+"-error")
	}
	if f.Help != "" {
		ids = append(ids, f.ID+"-help")
	}
	if f.MaxLength > 0 {
		ids = append(ids, f.ID+"-count")
	}
	return strings.Join(ids, " ")
}

// FormError is one line of the error summary, linking to its field.
type FormError struct {
	Href, Message string
}

// Form is a form's fields and what was wrong with the last post.
type Form struct {
	Fields []*Field
	Errors []FormError
	c      *ctx
}

func (c *ctx) form() *Form { return &Form{c: c} }

// Add appends a field; ID defaults to f-<name>.
func (f *Form) Add(fl Field) *Field {
	if fl.ID == "" {
		fl.ID = "f-" + strings.NewReplacer(".", "-", "_", "-").Replace(fl.Name)
	}
	if fl.Required {
		fl.Badge = f.c.T("form.required")
	} else {
		fl.Badge = f.c.T("form.optional")
	}
	if fl.MaxLength > 0 {
		fl.Counter = f.c.T("form.max_chars", fl.MaxLength)
	}
	p := &fl
	f.Fields = append(f.Fields, p)
	return p
}

// Field is the field named name, or nil.
func (f *Form) Field(name string) *Field {
	for _, fl := range f.Fields {
		if fl.Name == name {
			return fl
		}
	}
	return nil
}

// Summary is the error summary's heading.
func (f *Form) Summary() string { return f.c.T("form.summary", len(f.Errors)) }

// Fail marks a field wrong, with a message in the page's language; an
// empty name is a form-level problem.
func (f *Form) Fail(name, msg string) {
	href := "#form-errors"
	if fl := f.Field(name); fl != nil {
		if fl.Error == "" {
			fl.Error = msg
		}
		href = "#" + fl.ID
	}
	f.Errors = append(f.Errors, FormError{Href: href, Message: msg})
}

// Failed reports whether anything is wrong.
func (f *Form) Failed() bool { return len(f.Errors) > 0 }

// Read parses the post and keeps every value typed, so a refused form
// comes back as it was.
func (f *Form) Read() error {
	r := f.c.r
	r.Body = http.MaxBytesReader(f.c.w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		return workflow.Refuse(workflow.Invalid, "フォームの内容を読み取れませんでした（大きすぎるか形式が正しくありません）",
			"the form could not be read (too large or malformed)")
	}
	for _, fl := range f.Fields {
		switch fl.Type {
		case "checkboxes":
			fl.Values = r.PostForm[fl.Name]
		case "password":
			// never echoed back
		default:
			fl.Value = r.PostFormValue(fl.Name)
		}
	}
	return nil
}

// Value is what was posted for name.
func (f *Form) Value(name string) string { return f.c.r.PostFormValue(name) }

// Refused takes a service's refusal: field problems go to their fields
// (path maps a problem's path to a field name; nil for the same name),
// the rest to the summary. It reports whether err was a refusal the user
// can correct (Invalid, or another code with a message); other errors
// are for the caller to fail with.
func (f *Form) Refused(err error, path func(string) string) bool {
	var e *workflow.Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code {
	case workflow.Invalid, workflow.Unauthenticated, workflow.Conflict, workflow.IllegalTransition, workflow.Throttled:
	default:
		return false
	}
	if len(e.Problems) == 0 {
		f.Fail("", e.MessageIn(f.c.lang))
		return true
	}
	for _, p := range e.Problems {
		name := p.Path
		if path != nil {
			name = path(p.Path)
		}
		f.Fail(name, p.Message.In(f.c.lang))
	}
	return true
}

// Status is the HTTP status a refused form is shown with.
func (f *Form) Status(err error) int {
	if st, ok := statusOf[workflow.ErrorCode(err)]; ok && err != nil {
		return st
	}
	return http.StatusUnprocessableEntity
}

// ConflictRow is one value on the conflict page: what the other person
// saved beside what this user typed.
type ConflictRow struct {
	Label, Theirs, Yours string
	Differs              bool
}

type conflictView struct {
	Who  string
	Rows []ConflictRow
	Back string
}

// conflict answers 409 with the page showing someone else's newer values
// beside the user's own, and a way back to the fresh form.
func (c *ctx) conflict(who string, rows []ConflictRow, back string) error {
	for i := range rows {
		rows[i].Differs = rows[i].Theirs != rows[i].Yours
	}
	return c.render(http.StatusConflict, "conflict", "conflict.title", conflictView{Who: who, Rows: rows, Back: back})
}
