package azuremp_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/saasplane/saasplane/internal/api/apitest"
	"github.com/saasplane/saasplane/internal/azemu"
	"github.com/saasplane/saasplane/internal/marketplace/azure"
	"github.com/saasplane/saasplane/internal/marketplace/azuremp"
)

// countingTransport counts the requests of a client.
type countingTransport struct{ n atomic.Int64 }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

// ListSubscriptions follows @nextLink over the emulator's pages of 100,
// over real HTTP, with one token for every page.
func TestListSubscriptionsPaging(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		srv := apitest.NewServer(t, b.DB)
		saas := srv.NewSaaS(t)
		ctx := context.Background()
		emu := srv.AzureEmulator
		if _, err := emu.PutOffer(ctx, saas.SaaSID, azemu.Offer{OfferID: "contoso", Plans: []azemu.Plan{{PlanID: "silver", DisplayName: "Silver", Dimensions: []azemu.Dimension{}}}}); err != nil {
			t.Fatal(err)
		}
		want := map[string]bool{}
		for range 230 {
			_, sub, err := emu.CreatePurchase(ctx, saas.SaaSID, azemu.PurchaseInput{OfferID: "contoso", PlanID: "silver", SubscriptionName: "s"})
			if err != nil {
				t.Fatal(err)
			}
			want[sub.ID] = true
		}
		id, err := emu.Identity(ctx, saas.SaaSID)
		if err != nil {
			t.Fatal(err)
		}
		tr := &countingTransport{}
		c := azuremp.New(azuremp.Config{FulfillmentURL: srv.URL + "/api", Authority: srv.URL + "/azure", HTTPClient: &http.Client{Transport: tr}})
		subs, err := c.ListSubscriptions(ctx, azure.AzureCreds{TenantID: id.TenantID, ClientID: id.ClientID, ClientSecret: id.ClientSecret})
		if err != nil {
			t.Fatal(err)
		}
		if len(subs) != len(want) {
			t.Fatalf("listed %d subscriptions, want %d", len(subs), len(want))
		}
		for _, s := range subs {
			if !want[s.ID] || s.Status != "PendingFulfillmentStart" || s.OfferID != "contoso" {
				t.Errorf("listed %+v", s)
			}
			delete(want, s.ID)
		}
		if len(want) != 0 {
			t.Errorf("%d subscriptions not listed (or listed twice)", len(want))
		}
		if n := tr.n.Load(); n != 4 { // one token, three pages
			t.Errorf("%d requests, want 4 (a token and 3 pages)", n)
		}
	})
}
