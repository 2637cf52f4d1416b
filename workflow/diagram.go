package workflow

import (
	"fmt"
	"strings"
)

// StateDiagram renders the lifecycle table as Markdown: a Mermaid state
// diagram and a table of every transition with its roles, inputs and
// guards. Which roles hold each permission is policy/permissions.csv
// (docs/authorization.md). docs/state-diagram.md is generated from it (a golden test keeps
// the two in sync).
func StateDiagram() string {
	var b strings.Builder
	b.WriteString("# Nomination lifecycle\n\n")
	b.WriteString("Generated from the transition table in `workflow/lifecycle.go` by\n")
	b.WriteString("`go test ./workflow -run TestStateDiagramGolden -update`; do not edit by hand.\n\n")
	b.WriteString("```mermaid\nstateDiagram-v2\n")
	b.WriteString("    [*] --> draft: create\n")
	for _, t := range transitions {
		fmt.Fprintf(&b, "    %s --> %s: %s\n", t.From, t.To, t.Action)
	}
	for _, s := range States {
		if s.Terminal() {
			fmt.Fprintf(&b, "    %s --> [*]\n", s)
		}
	}
	b.WriteString("```\n\n")
	b.WriteString("| from | action | to | permission | needs | guards |\n|---|---|---|---|---|---|\n")
	for _, t := range transitions {
		guards := make([]string, len(t.Guards))
		for i, g := range t.Guards {
			guards[i] = "`" + g.Name + "`"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", t.From, t.Action, t.To,
			"`"+t.Perm.String()+"`", strings.Join(t.Needs.names(), ", "), strings.Join(guards, ", "))
	}
	b.WriteString("\n## Guards\n\nA guard that refuses returns its reasons in Japanese and English.\n\n| guard | holds when | error |\n|---|---|---|\n")
	seen := map[string]bool{}
	for _, t := range transitions {
		for _, g := range t.Guards {
			if !seen[g.Name] {
				seen[g.Name] = true
				fmt.Fprintf(&b, "| `%s` | %s | %s |\n", g.Name, g.Doc, g.Code)
			}
		}
	}
	b.WriteString("\n## States\n\n")
	for _, s := range States {
		kind := ""
		if s.Terminal() {
			kind = " (terminal)"
		}
		fmt.Fprintf(&b, "- `%s`%s\n", s, kind)
	}
	return b.String()
}
