// Package cyclefile reads a cycle file (YAML) into a workflow.Cycle. It
// reports every problem with its path in the file, e.g.
// "programmes[0].stages[1].nme: unknown field", together with the semantic
// problems found by workflow.Cycle.Check, not just the first.
//
// Dates and times are Japan time unless written with an offset. A date
// alone means the start of that day for opens and the end of that day for
// closes, so "closes: 2026-07-31" is the must-arrive deadline 令和8年7月31日.
package cyclefile

import (
	"fmt"
	"os"
	"strconv"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/awardflow/awardflow/workflow"
)

// MaxSize is the largest cycle file accepted.
const MaxSize = 4 << 20

// Read reads and checks the cycle file at path. Errors: a *workflow.Error
// with code Invalid listing every problem, or the file system's error.
func Read(path string) (workflow.Cycle, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return workflow.Cycle{}, err
	}
	if fi.Size() > MaxSize {
		return workflow.Cycle{}, workflow.Refuse(workflow.Invalid, "ファイル %s が %d バイトを超えています", "%s is larger than %d bytes", path, MaxSize)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return workflow.Cycle{}, err
	}
	return Parse(data)
}

// Parse decodes and checks a cycle file's contents.
func Parse(data []byte) (workflow.Cycle, error) {
	if len(data) > MaxSize {
		return workflow.Cycle{}, workflow.Refuse(workflow.Invalid, "年度設定ファイルが %d バイトを超えています", "cycle file is larger than %d bytes", MaxSize)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return workflow.Cycle{}, &workflow.Error{Code: workflow.Invalid, Message: "invalid cycle file",
			Problems: []workflow.Problem{{Code: "syntax", Message: workflow.Text{Ja: "YAML の書式に誤りがあります（" + err.Error() + "）", En: err.Error()}}}}
	}
	d := &decoder{loc: workflow.Tokyo}
	var c workflow.Cycle
	if len(root.Content) == 0 {
		d.add("", "the file is empty")
	} else {
		c = d.cycle(root.Content[0])
	}
	// Semantic checks run even after decoding problems, so that one pass
	// reports everything; a path already reported while decoding is not
	// reported again.
	reported := map[string]bool{}
	for _, p := range d.problems {
		reported[p.Path] = true
	}
	for _, p := range c.Check() {
		if !reported[p.Path] {
			d.problems = append(d.problems, p)
		}
	}
	if len(d.problems) > 0 {
		return workflow.Cycle{}, &workflow.Error{Code: workflow.Invalid, Message: "invalid cycle file", Problems: d.problems}
	}
	return c, nil
}

type decoder struct {
	problems []workflow.Problem
	loc      *time.Location
}

func (d *decoder) add(path, msg string) {
	d.problems = append(d.problems, workflow.Problem{Path: path, Code: "invalid", Message: workflow.Text{En: msg}})
}

func (d *decoder) addAt(path string, n *yaml.Node, msg string) {
	d.add(path, fmt.Sprintf("%s (line %d)", msg, n.Line))
}

func (d *decoder) cycle(n *yaml.Node) workflow.Cycle {
	o := d.object("", n)
	var c workflow.Cycle
	c.Key = o.str("key")
	c.FiscalYear = o.int("fiscal_year")
	c.Title = o.text("title")
	c.TimeZone = o.str("time_zone")
	if c.TimeZone == "" {
		c.TimeZone = "Asia/Tokyo"
	}
	if loc, err := time.LoadLocation(c.TimeZone); err == nil {
		d.loc = loc
	}
	o.list("programmes", func(path string, n *yaml.Node) {
		c.Programmes = append(c.Programmes, d.programme(path, n))
	})
	o.done()
	return c
}

func (d *decoder) programme(path string, n *yaml.Node) workflow.Programme {
	o := d.object(path, n)
	var p workflow.Programme
	p.Key = o.str("key")
	p.Ministry = o.str("ministry")
	p.Title = o.text("title")
	if call := o.child("call"); call != nil {
		co := d.object(path+".call", call)
		p.Call.Opens = co.time("opens", false)
		p.Call.Closes = co.time("closes", true)
		co.done()
	}
	o.list("stages", func(path string, n *yaml.Node) {
		so := d.object(path, n)
		st := workflow.Stage{Key: so.str("key"), Title: so.text("title"), Grants: so.str("grants"), Awards: so.strings("awards")}
		if jn := so.child("judging"); jn != nil {
			st.Judging = d.judging(path+".judging", jn)
		}
		p.Stages = append(p.Stages, st)
		so.done()
	})
	tier := func(path string, n *yaml.Node) workflow.Tier {
		to := d.object(path, n)
		t := workflow.Tier{Key: to.str("key"), Title: to.text("title")}
		if q := to.child("quota"); q != nil {
			qo := d.object(path+".quota", q)
			t.Quota = &workflow.Quota{Min: qo.intPtr("min"), Max: qo.intPtr("max")}
			qo.done()
		}
		to.done()
		return t
	}
	o.list("tiers", func(path string, n *yaml.Node) { p.Tiers = append(p.Tiers, tier(path, n)) })
	o.list("awards", func(path string, n *yaml.Node) { p.Awards = append(p.Awards, tier(path, n)) })
	if f := o.child("form"); f != nil {
		fo := d.object(path+".form", f)
		fo.list("fields", func(path string, n *yaml.Node) { p.Form.Fields = append(p.Form.Fields, d.field(path, n)) })
		fo.done()
	} else {
		d.add(path+".form", "is required")
	}
	o.list("eligibility", func(path string, n *yaml.Node) {
		ro := d.object(path, n)
		r := workflow.Rule{Key: ro.str("key"), AppliesTo: ro.str("applies_to"), Condition: ro.str("condition"), Reason: ro.text("reason")}
		if r.AppliesTo == "" {
			r.AppliesTo = workflow.ScreeningStage
		}
		p.Eligibility = append(p.Eligibility, r)
		ro.done()
	})
	o.done()
	return p
}

func (d *decoder) judging(path string, n *yaml.Node) *workflow.Judging {
	o := d.object(path, n)
	j := &workflow.Judging{JudgesPerEntry: o.int("judges_per_entry"), ScoreVisibility: workflow.Visibility(o.str("score_visibility")),
		Feedback: o.bool("feedback")}
	if w := o.child("window"); w != nil {
		wo := d.object(path+".window", w)
		j.Window.Opens = wo.time("opens", false)
		j.Window.Closes = wo.time("closes", true)
		wo.done()
	}
	if l := o.child("load"); l != nil {
		lo := d.object(path+".load", l)
		j.Load.Min, j.Load.Max = lo.int("min"), lo.int("max")
		lo.done()
	}
	o.list("rubric", func(path string, n *yaml.Node) {
		co := d.object(path, n)
		c := workflow.Criterion{Key: co.str("key"), Label: co.text("label"), Required: co.bool("required")}
		if co.child("guidance") != nil {
			c.Guidance = co.text("guidance")
		}
		for _, f := range []struct {
			name string
			dst  *float64
		}{{"weight", &c.Weight}, {"min", &c.Min}, {"max", &c.Max}, {"step", &c.Step}} {
			if v := co.floatPtr(f.name); v != nil {
				*f.dst = *v
			}
		}
		if c.Weight == 0 && co.values["weight"] == nil {
			c.Weight = 1
		}
		if c.Step == 0 && co.values["step"] == nil {
			c.Step = 1
		}
		j.Rubric = append(j.Rubric, c)
		co.done()
	})
	o.done()
	return j
}

func (d *decoder) field(path string, n *yaml.Node) workflow.Field {
	o := d.object(path, n)
	f := workflow.Field{
		Key: o.str("key"), Label: o.text("label"), Type: workflow.FieldType(o.str("type")),
		Required: o.bool("required"), Public: o.bool("public"),
		Min: o.floatPtr("min"), Max: o.floatPtr("max"), MaxLength: o.int("max_length"),
	}
	if o.child("help") != nil {
		f.Help = o.text("help")
	}
	o.list("choices", func(path string, n *yaml.Node) {
		co := d.object(path, n)
		f.Choices = append(f.Choices, workflow.Choice{Key: co.str("key"), Label: co.text("label")})
		co.done()
	})
	o.done()
	return f
}

// object is a mapping node being decoded; done reports keys never read.
type object struct {
	d      *decoder
	path   string
	node   *yaml.Node
	values map[string]*yaml.Node
	used   map[string]bool
}

func (d *decoder) object(path string, n *yaml.Node) *object {
	o := &object{d: d, path: path, node: n, values: map[string]*yaml.Node{}, used: map[string]bool{}}
	if n.Kind == yaml.AliasNode {
		d.addAt(path, n, "anchors and aliases are not supported")
		return o
	}
	if n.Kind != yaml.MappingNode {
		d.addAt(path, n, "must be a mapping of keys to values")
		return o
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i].Value
		if _, dup := o.values[k]; dup {
			d.addAt(o.at(k), n.Content[i], "duplicate key")
		}
		o.values[k] = n.Content[i+1]
	}
	return o
}

func (o *object) at(key string) string {
	if o.path == "" {
		return key
	}
	return o.path + "." + key
}

func (o *object) done() {
	for i := 0; i+1 < len(o.node.Content); i += 2 {
		if k := o.node.Content[i]; !o.used[k.Value] {
			o.d.addAt(o.at(k.Value), k, "unknown field")
		}
	}
}

// child returns the value node of key, or nil if absent or null.
func (o *object) child(key string) *yaml.Node {
	o.used[key] = true
	n := o.values[key]
	if n == nil || n.Tag == "!!null" {
		return nil
	}
	if n.Kind == yaml.AliasNode {
		o.d.addAt(o.at(key), n, "anchors and aliases are not supported")
		return nil
	}
	return n
}

func (o *object) scalar(key, want string) *yaml.Node {
	n := o.child(key)
	if n == nil {
		return nil
	}
	if n.Kind != yaml.ScalarNode {
		o.d.addAt(o.at(key), n, "must be "+want)
		return nil
	}
	return n
}

func (o *object) str(key string) string {
	n := o.scalar(key, "text")
	if n == nil {
		return ""
	}
	return n.Value
}

func (o *object) int(key string) int {
	if p := o.intPtr(key); p != nil {
		return *p
	}
	return 0
}

func (o *object) intPtr(key string) *int {
	n := o.scalar(key, "a whole number")
	if n == nil {
		return nil
	}
	v, err := strconv.Atoi(n.Value)
	if err != nil || n.Tag != "!!int" {
		o.d.addAt(o.at(key), n, fmt.Sprintf("must be a whole number, not %q", n.Value))
		return nil
	}
	return &v
}

func (o *object) floatPtr(key string) *float64 {
	n := o.scalar(key, "a number")
	if n == nil {
		return nil
	}
	v, err := strconv.ParseFloat(n.Value, 64)
	if err != nil || (n.Tag != "!!int" && n.Tag != "!!float") {
		o.d.addAt(o.at(key), n, fmt.Sprintf("must be a number, not %q", n.Value))
		return nil
	}
	return &v
}

func (o *object) bool(key string) bool {
	n := o.scalar(key, "true or false")
	if n == nil {
		return false
	}
	if n.Tag != "!!bool" {
		o.d.addAt(o.at(key), n, fmt.Sprintf("must be true or false, not %q", n.Value))
		return false
	}
	return n.Value == "true"
}

func (o *object) text(key string) workflow.Text {
	n := o.child(key)
	if n == nil {
		return workflow.Text{} // Check reports the missing ja and en
	}
	to := o.d.object(o.at(key), n)
	t := workflow.Text{Ja: to.str("ja"), En: to.str("en")}
	to.done()
	return t
}

func (o *object) strings(key string) []string {
	var out []string
	o.list(key, func(path string, n *yaml.Node) {
		if n.Kind != yaml.ScalarNode {
			o.d.addAt(path, n, "must be text")
			return
		}
		out = append(out, n.Value)
	})
	return out
}

func (o *object) list(key string, each func(path string, n *yaml.Node)) {
	n := o.child(key)
	if n == nil {
		return
	}
	if n.Kind != yaml.SequenceNode {
		o.d.addAt(o.at(key), n, "must be a list")
		return
	}
	for i, e := range n.Content {
		path := fmt.Sprintf("%s[%d]", o.at(key), i)
		if e.Kind == yaml.AliasNode {
			o.d.addAt(path, e, "anchors and aliases are not supported")
			continue
		}
		each(path, e)
	}
}

// time reads an instant: RFC 3339 with an offset, a local date-time in the
// cycle's zone, or a date (start of day; end of day when endOfDay is set).
func (o *object) time(key string, endOfDay bool) time.Time {
	n := o.scalar(key, "a date or date-time")
	if n == nil {
		return time.Time{}
	}
	v := n.Value
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, v, o.d.loc); err == nil {
			return t
		}
	}
	if t, err := time.ParseInLocation(time.DateOnly, v, o.d.loc); err == nil {
		if endOfDay {
			return t.AddDate(0, 0, 1)
		}
		return t
	}
	o.d.addAt(o.at(key), n, fmt.Sprintf("must be a date (2026-07-31) or date-time (2026-07-31T17:00+09:00), not %q", v))
	return time.Time{}
}
