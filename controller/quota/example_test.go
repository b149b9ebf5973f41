package quota_test

import (
	"fmt"
	"time"

	"github.com/driftmgr/driftmgr/controller/quota"
)

func ExampleLimiter_AllowRequest() {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	l := quota.NewLimiter(quota.Config{
		Default: quota.Limits{RequestsPerSecond: 50, Burst: 2},
		Now:     func() time.Time { return now },
	})
	for range 3 {
		if err := l.AllowRequest("acme"); err != nil {
			fmt.Println(err)
			fmt.Println("Retry-After:", quota.ToConnect(err).Meta().Get("Retry-After"))
		}
	}
	fmt.Println("globex:", l.AllowRequest("globex"))
	// Output:
	// tenant acme: over its API rate of 50 requests/s; retry after 20ms
	// Retry-After: 1
	// globex: <nil>
}

func ExampleLimiter_AcquireStream() {
	l := quota.NewLimiter(quota.Config{Default: quota.Limits{MaxStreams: 1}})
	release, _ := l.AcquireStream("acme")
	_, err := l.AcquireStream("acme")
	fmt.Println(err)
	release() // when the stream ends, however it ends
	_, err = l.AcquireStream("acme")
	fmt.Println(err)
	// Output:
	// tenant acme: at its limit of 1 concurrent streams; close one first
	// <nil>
}
