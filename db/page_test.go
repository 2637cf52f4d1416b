package db_test

import (
	"github.com/awardflow/awardflow/workflow"
)

// mustPage is must for a page of a list.
func mustPage[T any](items []T, _ workflow.PageInfo, err error) []T {
	if err != nil {
		panic(err)
	}
	return items
}
