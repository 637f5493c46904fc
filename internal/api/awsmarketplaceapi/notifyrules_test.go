package awsmarketplaceapi_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/api"
	"github.com/saasplane/saasplane/internal/api/apitest"
	"github.com/saasplane/saasplane/internal/marketplace/awsmp"
)

// snsSigner signs test messages with a key the server under test trusts.
type snsSigner struct {
	key *rsa.PrivateKey
	n   int
}

func newSNSSigner(t *testing.T) (*snsSigner, *x509.Certificate) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "sns test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &snsSigner{key: key}, cert
}

// message builds a signed SNS message of the given type.
func (s *snsSigner) message(t *testing.T, typ, topic, body string, sent time.Time, subscribeURL string) string {
	t.Helper()
	s.n++
	m := awsmp.SNSMessage{Type: typ, MessageID: fmt.Sprintf("test-%d-%d", time.Now().UnixNano(), s.n),
		TopicArn: topic, Message: body, Timestamp: sent.UTC().Format("2006-01-02T15:04:05.000Z"),
		SigningCertURL: "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-test.pem"}
	if typ != "Notification" {
		m.Token, m.SubscribeURL = "token", subscribeURL
	}
	if err := awsmp.SignSNS(&m, s.key, "1"); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// Notifications, as real SNS may deliver them: twice, out of order, for
// buyers not linked yet, from topics of other products, and the
// subscription confirmations saasplane must answer only for its own
// product's topics.
func TestNotificationRules(t *testing.T) {
	t.Parallel()
	signer, cert := newSNSSigner(t)
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		srv := apitest.NewServerWith(t, b.DB, apitest.Options{Deps: func(d *api.Deps) {
			d.SNSVerifier = &awsmp.SNSVerifier{Trusted: cert}
		}})
		c := srv.NewSaaS(t)
		x := linkedCustomer(t, c)
		subTopic := "arn:aws:sns:us-east-1:287250355862:aws-mp-subscription-notification-" + x["product"]
		entTopic := "arn:aws:sns:us-east-1:287250355862:aws-mp-entitlement-notification-" + x["product"]
		otherTopic := "arn:aws:sns:us-east-1:287250355862:aws-mp-subscription-notification-someoneelse"
		var confirms atomic.Int32
		confirmSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { confirms.Add(1) }))
		defer confirmSrv.Close()

		post := func(raw string) *apitest.Response {
			return c.Server.Raw(t, "POST", "/awsmarketplace/notifications/"+c.SaaSID, []byte(raw),
				http.Header{"Content-Type": {"text/plain; charset=UTF-8"}})
		}
		body := func(action, customer string) string {
			b, _ := json.Marshal(map[string]string{"action": action, "customer-identifier": customer, "product-code": x["product"]})
			return string(b)
		}
		outcome := func(r *apitest.Response) string { r.Want(t, 200); s, _ := r.JSON(t)["outcome"].(string); return s }
		status := func() string {
			s, _ := c.Do(t, "GET", P+"/customers/"+x["customer"], nil).Want(t, 200).JSON(t)["status"].(string)
			return s
		}
		t0 := time.Now().Add(-time.Hour)

		// Confirmations: only the product's own topics are confirmed.
		if got := outcome(post(signer.message(t, "SubscriptionConfirmation", subTopic, "confirm", t0, confirmSrv.URL))); got != "confirmed" || confirms.Load() != 1 {
			t.Fatalf("confirmation of the product's topic: outcome %q, %d confirm calls", got, confirms.Load())
		}
		post(signer.message(t, "SubscriptionConfirmation", otherTopic, "confirm", t0, confirmSrv.URL)).WantError(t, 400, "wrong_topic")
		if confirms.Load() != 1 {
			t.Fatalf("a foreign topic was confirmed")
		}

		// unsubscribe-pending, then the same message again: applied once.
		pending := signer.message(t, "Notification", subTopic, body("unsubscribe-pending", x["customer"]), t0.Add(time.Minute), "")
		if got := outcome(post(pending)); got != "applied" || status() != "unsubscribe_pending" {
			t.Fatalf("unsubscribe-pending: outcome %q, status %q", got, status())
		}
		if got := outcome(post(pending)); got != "duplicate" {
			t.Fatalf("the same message again: outcome %q, want duplicate", got)
		}
		// An older subscribe-success delivered late does not undo it.
		if got := outcome(post(signer.message(t, "Notification", subTopic, body("subscribe-success", x["customer"]), t0, ""))); got != "stale" || status() != "unsubscribe_pending" {
			t.Fatalf("late subscribe-success: outcome %q, status %q; want stale, unsubscribe_pending", got, status())
		}
		if tenantPlan(t, c, x["tenant"]) != x["plan"] {
			t.Fatal("unsubscribe-pending must keep the plan (final usage may still be reported)")
		}
		// unsubscribe-success ends the plan.
		if got := outcome(post(signer.message(t, "Notification", subTopic, body("unsubscribe-success", x["customer"]), t0.Add(2*time.Minute), ""))); got != "applied" {
			t.Fatalf("unsubscribe-success: outcome %q", got)
		}
		if status() != "unsubscribed" || tenantPlan(t, c, x["tenant"]) != "" {
			t.Fatalf("after unsubscribe-success: status %q, plan %q; want unsubscribed, none", status(), tenantPlan(t, c, x["tenant"]))
		}

		// A buyer not linked (yet): recorded, nothing to change.
		if got := outcome(post(signer.message(t, "Notification", subTopic, body("subscribe-success", "XNOTLINKED"), t0, ""))); got != "unknown_customer" {
			t.Fatalf("unknown buyer: outcome %q", got)
		}
		if got := outcome(post(signer.message(t, "Notification", entTopic, body("entitlement-updated", "XNOTLINKED"), t0, ""))); got != "unknown_customer" {
			t.Fatalf("unknown buyer's entitlement: outcome %q", got)
		}
		// Other products' topics and bodies are refused.
		post(signer.message(t, "Notification", otherTopic, body("unsubscribe-success", x["customer"]), t0, "")).WantError(t, 400, "wrong_topic")
		wrong, _ := json.Marshal(map[string]string{"action": "subscribe-success", "customer-identifier": x["customer"], "product-code": "other"})
		post(signer.message(t, "Notification", subTopic, string(wrong), t0, "")).WantError(t, 400, "wrong_product")
		// Both key spellings of AWS's documents are read.
		alt, _ := json.Marshal(map[string]string{"action": "some-new-action", "CustomerIdentifier": x["customer"], "ProductCode": x["product"]})
		if got := outcome(post(signer.message(t, "Notification", subTopic, string(alt), t0.Add(3*time.Minute), ""))); got != "ignored" {
			t.Fatalf("unknown action: outcome %q, want ignored", got)
		}
	})
}
