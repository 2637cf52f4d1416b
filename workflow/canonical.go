package workflow

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
)

// The canonical encoding of a cycle is what its hash (CycleVersion.Hash)
// and a rubric's hash (RubricHash, carried by signed scoring sheets) are
// computed over. It names every field explicitly, so renaming a Go field
// or changing how the cycle is stored or served cannot change a hash.
// Its bytes are those the cycles stored so far were hashed over (the JSON
// the domain types had): a change here makes every stored cycle "new"
// and refuses every issued scoring sheet, so it must never change for an
// existing field. A new field is appended where it is absent from older
// cycles (omitted when zero), so older cycles keep their hash.

// CycleHash is the SHA-256 of a cycle's canonical encoding, in hex.
// LoadCycle stores it with each version after putting the call windows
// in UTC.
func CycleHash(c *Cycle) string {
	sum := sha256.Sum256(CanonicalCycle(c))
	return hex.EncodeToString(sum[:])
}

// CanonicalCycle is a cycle's canonical encoding.
func CanonicalCycle(c *Cycle) []byte {
	var e cycleEnc
	e.cycle(c)
	return e.Bytes()
}

// canonicalRubric is a rubric's canonical encoding.
func canonicalRubric(r []Criterion) []byte {
	var e cycleEnc
	e.rubric(r)
	return e.Bytes()
}

type cycleEnc struct {
	bytes.Buffer
	first []bool // per open object: no member written yet
}

func (e *cycleEnc) open()  { e.WriteByte('{'); e.first = append(e.first, true) }
func (e *cycleEnc) close() { e.WriteByte('}'); e.first = e.first[:len(e.first)-1] }

func (e *cycleEnc) name(n string) {
	if top := len(e.first) - 1; e.first[top] {
		e.first[top] = false
	} else {
		e.WriteByte(',')
	}
	e.WriteByte('"')
	e.WriteString(n)
	e.WriteString(`":`)
}

// scalar writes a string, number, bool or time as encoding/json does
// (strings HTML-escaped, floats in its shortest form, times RFC 3339).
func (e *cycleEnc) scalar(v any) {
	b, err := json.Marshal(v)
	if err != nil { // only NaN or ±Inf, which Check refuses
		b = []byte("null")
	}
	e.Write(b)
}

func (e *cycleEnc) str(n, v string)          { e.name(n); e.scalar(v) }
func (e *cycleEnc) num(n string, v any)      { e.name(n); e.scalar(v) }
func (e *cycleEnc) boolean(n string, v bool) { e.name(n); e.scalar(v) }

func (e *cycleEnc) text(n string, t Text) {
	e.name(n)
	e.open()
	e.str("ja", t.Ja)
	e.str("en", t.En)
	e.close()
}

// list writes a list; a nil one as null, as stored before.
func list[T any](e *cycleEnc, n string, xs []T, each func(*T)) {
	e.name(n)
	if xs == nil {
		e.WriteString("null")
		return
	}
	e.WriteByte('[')
	for i := range xs {
		if i > 0 {
			e.WriteByte(',')
		}
		each(&xs[i])
	}
	e.WriteByte(']')
}

func (e *cycleEnc) cycle(c *Cycle) {
	e.open()
	e.str("key", c.Key)
	e.num("fiscal_year", c.FiscalYear)
	e.text("title", c.Title)
	e.str("time_zone", c.TimeZone)
	list(e, "programmes", c.Programmes, e.programme)
	e.close()
}

func (e *cycleEnc) programme(p *Programme) {
	e.open()
	e.str("key", p.Key)
	e.str("ministry", p.Ministry)
	e.text("title", p.Title)
	e.window("call", p.Call)
	list(e, "stages", p.Stages, e.stage)
	if len(p.Tiers) > 0 {
		list(e, "tiers", p.Tiers, e.tier)
	}
	if len(p.Awards) > 0 {
		list(e, "awards", p.Awards, e.tier)
	}
	e.name("form")
	e.open()
	list(e, "fields", p.Form.Fields, e.field)
	e.close()
	if len(p.Eligibility) > 0 {
		list(e, "eligibility", p.Eligibility, e.rule)
	}
	e.close()
}

func (e *cycleEnc) window(n string, w Window) {
	e.name(n)
	e.open()
	e.time("opens", w.Opens)
	e.time("closes", w.Closes)
	e.close()
}

func (e *cycleEnc) time(n string, t time.Time) { e.name(n); e.scalar(t) }

func (e *cycleEnc) stage(s *Stage) {
	e.open()
	e.str("key", s.Key)
	e.text("title", s.Title)
	if s.Grants != "" {
		e.str("grants", s.Grants)
	}
	if len(s.Awards) > 0 {
		list(e, "awards", s.Awards, func(k *string) { e.scalar(*k) })
	}
	if j := s.Judging; j != nil {
		e.name("judging")
		e.open()
		e.num("judges_per_entry", j.JudgesPerEntry)
		e.window("window", j.Window)
		e.str("score_visibility", string(j.ScoreVisibility))
		e.boolean("feedback", j.Feedback)
		e.name("load")
		e.open()
		if j.Load.Min != 0 {
			e.num("min", j.Load.Min)
		}
		if j.Load.Max != 0 {
			e.num("max", j.Load.Max)
		}
		e.close()
		e.name("rubric")
		e.rubric(j.Rubric)
		e.close()
	}
	e.close()
}

// rubric writes the rubric's list itself (the caller names it).
func (e *cycleEnc) rubric(r []Criterion) {
	if r == nil {
		e.WriteString("null")
		return
	}
	e.WriteByte('[')
	for i := range r {
		if i > 0 {
			e.WriteByte(',')
		}
		e.criterion(&r[i])
	}
	e.WriteByte(']')
}

func (e *cycleEnc) criterion(c *Criterion) {
	e.open()
	e.str("key", c.Key)
	e.text("label", c.Label)
	if c.Guidance != (Text{}) {
		e.text("guidance", c.Guidance)
	}
	e.num("weight", c.Weight)
	e.num("min", c.Min)
	e.num("max", c.Max)
	e.num("step", c.Step)
	if c.Required {
		e.boolean("required", true)
	}
	e.close()
}

func (e *cycleEnc) tier(t *Tier) {
	e.open()
	e.str("key", t.Key)
	e.text("title", t.Title)
	if q := t.Quota; q != nil {
		e.name("quota")
		e.open()
		if q.Min != nil {
			e.num("min", *q.Min)
		}
		if q.Max != nil {
			e.num("max", *q.Max)
		}
		e.close()
	}
	e.close()
}

func (e *cycleEnc) field(f *Field) {
	e.open()
	e.str("key", f.Key)
	e.text("label", f.Label)
	e.text("help", f.Help)
	e.str("type", string(f.Type))
	if f.Required {
		e.boolean("required", true)
	}
	if f.Public {
		e.boolean("public", true)
	}
	if f.Min != nil {
		e.num("min", *f.Min)
	}
	if f.Max != nil {
		e.num("max", *f.Max)
	}
	if f.MaxLength != 0 {
		e.num("max_length", f.MaxLength)
	}
	if len(f.Choices) > 0 {
		list(e, "choices", f.Choices, func(c *Choice) {
			e.open()
			e.str("key", c.Key)
			e.text("label", c.Label)
			e.close()
		})
	}
	e.close()
}

func (e *cycleEnc) rule(r *Rule) {
	e.open()
	e.str("key", r.Key)
	e.str("applies_to", r.AppliesTo)
	e.str("condition", r.Condition)
	e.text("reason", r.Reason)
	e.close()
}
