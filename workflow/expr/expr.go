// Package expr is the small condition language of eligibility rules, e.g.
//
//	eligible_staff * 4 >= org.regular_headcount and avg_telework_days >= 4
//
// It has numbers (exact decimals), strings, booleans, + - * /, comparisons
// (= != < <= > >=), and, or, not and parentheses. Conditions are parsed and
// type-checked once against the variables a form declares; evaluation uses
// three-valued logic so that a missing answer makes a rule "unknown" rather
// than failed, unless the result is decided without it (false and x = false).
package expr

import (
	"fmt"
	"math/big"
	"strings"
)

// Type is the type of a variable or sub-expression.
type Type int

// The types.
const (
	Number Type = iota + 1
	Bool
	String
)

func (t Type) String() string {
	switch t {
	case Number:
		return "number"
	case Bool:
		return "boolean"
	case String:
		return "string"
	}
	return "invalid"
}

// Value is a typed value of a variable.
type Value struct {
	typ Type
	num *big.Rat
	b   bool
	s   string
}

// Num, Boolean and Str make values.
func Num(r *big.Rat) Value { return Value{typ: Number, num: r} }
func Boolean(b bool) Value { return Value{typ: Bool, b: b} }
func Str(s string) Value   { return Value{typ: String, s: s} }
func (v Value) Type() Type { return v.typ }

// Lookup returns a variable's value, or false when it has none (an
// unanswered field).
type Lookup func(name string) (Value, bool)

// Result is the outcome of evaluating a condition.
type Result struct {
	Known   bool     // false if the outcome depends on missing values or divides by zero
	Value   bool     // meaningful only when Known
	Missing []string // variables without a value that the outcome depended on
	DivZero bool     // a division by zero made the outcome unknown
}

// Expr is a parsed, type-checked boolean condition.
type Expr struct {
	src  string
	root node
	vars []string
}

// String returns the source of the condition.
func (e *Expr) String() string { return e.src }

// Vars returns the variables the condition refers to, in order of first use.
func (e *Expr) Vars() []string { return e.vars }

// Parse parses src and checks it against the declared variables; the whole
// condition must be boolean. Errors name the offending token or variable.
func Parse(src string, vars map[string]Type) (*Expr, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks, vars: vars, seen: map[string]bool{}}
	root, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.peek().kind != tEOF {
		return nil, fmt.Errorf("unexpected %q at offset %d", p.peek().text, p.peek().pos)
	}
	if root.typ() != Bool {
		return nil, fmt.Errorf("condition must be true or false, not a %s", root.typ())
	}
	return &Expr{src: src, root: root, vars: p.order}, nil
}

// Eval evaluates the condition.
func (e *Expr) Eval(lookup Lookup) Result {
	ev := &evaluator{lookup: lookup}
	v, ok := e.root.eval(ev)
	r := Result{Known: ok, DivZero: ev.divZero}
	if ok {
		r.Value = v.b
	} else {
		r.Missing = ev.missing
	}
	return r
}

// ---- lexer

type tokKind int

const (
	tEOF tokKind = iota
	tNum
	tStr
	tIdent
	tOp
	tLParen
	tRParen
)

type token struct {
	kind tokKind
	text string
	pos  int
}

func lex(src string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c >= '0' && c <= '9':
			j := i
			for j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] == '.') {
				j++
			}
			toks = append(toks, token{tNum, src[i:j], i})
			i = j
		case c == '"' || c == '\'':
			j := strings.IndexByte(src[i+1:], c)
			if j < 0 {
				return nil, fmt.Errorf("unterminated string at offset %d", i)
			}
			toks = append(toks, token{tStr, src[i+1 : i+1+j], i})
			i += j + 2
		case isIdentStart(c):
			j := i
			for j < len(src) && (isIdentStart(src[j]) || src[j] >= '0' && src[j] <= '9' || src[j] == '.') {
				j++
			}
			toks = append(toks, token{tIdent, src[i:j], i})
			i = j
		case c == '(':
			toks = append(toks, token{tLParen, "(", i})
			i++
		case c == ')':
			toks = append(toks, token{tRParen, ")", i})
			i++
		case strings.ContainsRune("+-*/", rune(c)):
			toks = append(toks, token{tOp, string(c), i})
			i++
		case c == '<' || c == '>' || c == '=' || c == '!':
			n := 1
			if i+1 < len(src) && src[i+1] == '=' {
				n = 2
			}
			op := src[i : i+n]
			switch op {
			case "!":
				return nil, fmt.Errorf("unexpected '!' at offset %d (use != or not)", i)
			case "==":
				op = "="
			}
			toks = append(toks, token{tOp, op, i})
			i += n
		default:
			return nil, fmt.Errorf("unexpected character %q at offset %d", c, i)
		}
	}
	return append(toks, token{tEOF, "end of condition", len(src)}), nil
}

func isIdentStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// ---- parser and type checker

type parser struct {
	toks  []token
	i     int
	vars  map[string]Type
	seen  map[string]bool
	order []string
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token { t := p.toks[p.i]; p.i++; return t }

func (p *parser) word(w string) bool {
	t := p.peek()
	if t.kind == tIdent && t.text == w {
		p.i++
		return true
	}
	return false
}

func (p *parser) or() (node, error) {
	return p.logical("or", p.and)
}

func (p *parser) and() (node, error) {
	return p.logical("and", p.not)
}

func (p *parser) logical(op string, operand func() (node, error)) (node, error) {
	l, err := operand()
	if err != nil {
		return nil, err
	}
	for p.word(op) {
		r, err := operand()
		if err != nil {
			return nil, err
		}
		if l.typ() != Bool || r.typ() != Bool {
			return nil, fmt.Errorf("%q needs true/false on both sides", op)
		}
		l = &logic{and: op == "and", l: l, r: r}
	}
	return l, nil
}

func (p *parser) not() (node, error) {
	if p.word("not") {
		x, err := p.not()
		if err != nil {
			return nil, err
		}
		if x.typ() != Bool {
			return nil, fmt.Errorf(`"not" needs true/false`)
		}
		return &negate{x: x}, nil
	}
	return p.cmp()
}

func (p *parser) cmp() (node, error) {
	l, err := p.sum()
	if err != nil {
		return nil, err
	}
	t := p.peek()
	if t.kind != tOp || !comparison[t.text] {
		return l, nil
	}
	p.next()
	r, err := p.sum()
	if err != nil {
		return nil, err
	}
	if l.typ() != r.typ() {
		return nil, fmt.Errorf("cannot compare %s with %s at offset %d", l.typ(), r.typ(), t.pos)
	}
	if l.typ() != Number && t.text != "=" && t.text != "!=" {
		return nil, fmt.Errorf("%q compares numbers only, at offset %d", t.text, t.pos)
	}
	return &compare{op: t.text, l: l, r: r}, nil
}

var comparison = map[string]bool{"=": true, "!=": true, "<": true, "<=": true, ">": true, ">=": true}

func (p *parser) sum() (node, error) {
	return p.arith("+-", p.prod)
}

func (p *parser) prod() (node, error) {
	return p.arith("*/", p.unary)
}

func (p *parser) arith(ops string, operand func() (node, error)) (node, error) {
	l, err := operand()
	if err != nil {
		return nil, err
	}
	for t := p.peek(); t.kind == tOp && len(t.text) == 1 && strings.Contains(ops, t.text); t = p.peek() {
		p.next()
		r, err := operand()
		if err != nil {
			return nil, err
		}
		if l.typ() != Number || r.typ() != Number {
			return nil, fmt.Errorf("%q needs numbers on both sides, at offset %d", t.text, t.pos)
		}
		l = &binary{op: t.text[0], l: l, r: r}
	}
	return l, nil
}

func (p *parser) unary() (node, error) {
	if t := p.peek(); t.kind == tOp && t.text == "-" {
		p.next()
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		if x.typ() != Number {
			return nil, fmt.Errorf("unary minus needs a number, at offset %d", t.pos)
		}
		return &binary{op: '-', l: &literal{v: Num(new(big.Rat))}, r: x}, nil
	}
	return p.primary()
}

func (p *parser) primary() (node, error) {
	t := p.next()
	switch t.kind {
	case tNum:
		r, ok := new(big.Rat).SetString(t.text)
		if !ok || strings.Count(t.text, ".") > 1 {
			return nil, fmt.Errorf("bad number %q at offset %d", t.text, t.pos)
		}
		return &literal{v: Num(r)}, nil
	case tStr:
		return &literal{v: Str(t.text)}, nil
	case tIdent:
		switch t.text {
		case "true", "false":
			return &literal{v: Boolean(t.text == "true")}, nil
		case "and", "or", "not":
			return nil, fmt.Errorf("unexpected %q at offset %d", t.text, t.pos)
		}
		typ, ok := p.vars[t.text]
		if !ok {
			return nil, fmt.Errorf("unknown variable %q", t.text)
		}
		if !p.seen[t.text] {
			p.seen[t.text] = true
			p.order = append(p.order, t.text)
		}
		return &variable{name: t.text, t: typ}, nil
	case tLParen:
		x, err := p.or()
		if err != nil {
			return nil, err
		}
		if c := p.next(); c.kind != tRParen {
			return nil, fmt.Errorf("expected ')' at offset %d, found %q", c.pos, c.text)
		}
		return x, nil
	}
	return nil, fmt.Errorf("unexpected %q at offset %d", t.text, t.pos)
}

// ---- evaluation

type evaluator struct {
	lookup  Lookup
	missing []string
	divZero bool
}

type node interface {
	typ() Type
	eval(*evaluator) (Value, bool)
}

type literal struct{ v Value }

func (n *literal) typ() Type                     { return n.v.typ }
func (n *literal) eval(*evaluator) (Value, bool) { return n.v, true }

type variable struct {
	name string
	t    Type
}

func (n *variable) typ() Type { return n.t }
func (n *variable) eval(ev *evaluator) (Value, bool) {
	v, ok := ev.lookup(n.name)
	if !ok || v.typ != n.t {
		for _, m := range ev.missing {
			if m == n.name {
				return Value{}, false
			}
		}
		ev.missing = append(ev.missing, n.name)
		return Value{}, false
	}
	return v, true
}

type logic struct {
	and  bool
	l, r node
}

func (n *logic) typ() Type { return Bool }

// eval is Kleene's three-valued and/or: a decisive side wins even if the
// other is unknown.
func (n *logic) eval(ev *evaluator) (Value, bool) {
	l, lok := n.l.eval(ev)
	if lok && l.b != n.and {
		return l, true
	}
	r, rok := n.r.eval(ev)
	if rok && r.b != n.and {
		return r, true
	}
	if lok && rok {
		return Boolean(n.and), true
	}
	return Value{}, false
}

type negate struct{ x node }

func (n *negate) typ() Type { return Bool }
func (n *negate) eval(ev *evaluator) (Value, bool) {
	v, ok := n.x.eval(ev)
	return Boolean(!v.b), ok
}

type compare struct {
	op   string
	l, r node
}

func (n *compare) typ() Type { return Bool }
func (n *compare) eval(ev *evaluator) (Value, bool) {
	l, lok := n.l.eval(ev)
	r, rok := n.r.eval(ev)
	if !lok || !rok {
		return Value{}, false
	}
	var c int
	switch l.typ {
	case Number:
		c = l.num.Cmp(r.num)
	case String:
		c = strings.Compare(l.s, r.s)
	case Bool:
		if l.b != r.b {
			c = 1
		}
	}
	switch n.op {
	case "=":
		return Boolean(c == 0), true
	case "!=":
		return Boolean(c != 0), true
	case "<":
		return Boolean(c < 0), true
	case "<=":
		return Boolean(c <= 0), true
	case ">":
		return Boolean(c > 0), true
	default: // ">="
		return Boolean(c >= 0), true
	}
}

type binary struct {
	op   byte
	l, r node
}

func (n *binary) typ() Type { return Number }
func (n *binary) eval(ev *evaluator) (Value, bool) {
	l, lok := n.l.eval(ev)
	r, rok := n.r.eval(ev)
	if !lok || !rok {
		return Value{}, false
	}
	z := new(big.Rat)
	switch n.op {
	case '+':
		z.Add(l.num, r.num)
	case '-':
		z.Sub(l.num, r.num)
	case '*':
		z.Mul(l.num, r.num)
	default:
		if r.num.Sign() == 0 {
			ev.divZero = true
			return Value{}, false
		}
		z.Quo(l.num, r.num)
	}
	return Num(z), true
}
