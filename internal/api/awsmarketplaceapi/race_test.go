package awsmarketplaceapi_test

import (
	"sync"
	"testing"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// TestConcurrentFirstLinks: requests racing for a SaaS's first launch link
// all get the same external id, and concurrent partial updates of
// different settings all land.
func TestConcurrentFirstLinks(t *testing.T) {
	t.Parallel()
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		srv := apitest.NewServer(t, b.DB)
		c := srv.NewSaaS(t)
		const n = 8
		links := make([]string, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				links[i], _ = c.Do(t, "GET", P+"/cloudformation-launch-stack-link", nil).Want(t, 200).JSON(t)["link"].(string)
			}()
		}
		fields := fullSettings()
		for k, v := range fields {
			wg.Add(1)
			go func() {
				defer wg.Done()
				okEmpty(t, c, "PUT", "/settings", obj{k: v})
			}()
		}
		wg.Wait()
		// The product code may or may not be in a link, by timing; the
		// external id must be the same in all.
		first := launchQuery(t, links[0]).Get("param_ExternalId")
		for i := 1; i < n; i++ {
			if got := launchQuery(t, links[i]).Get("param_ExternalId"); got != first {
				t.Errorf("link %d has external id %s, link 0 %s", i, got, first)
			}
		}
		wantSettings(t, c, fields)
	})
}
