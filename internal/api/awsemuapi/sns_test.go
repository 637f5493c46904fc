package awsemuapi_test

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/xml"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/api/apitest"
	"github.com/saasplane/saasplane/internal/awsemu"
	"github.com/saasplane/saasplane/internal/azemu"
	"github.com/saasplane/saasplane/internal/marketplace/awsmp"
)

// receiver is an SNS HTTP endpoint: it records every POST and answers 500
// to the next fail ones.
type receiver struct {
	srv   *httptest.Server
	mu    sync.Mutex
	posts []post // every POST, failed ones included
	fail  int
}

type post struct {
	header http.Header
	body   []byte
	status int
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		status := http.StatusOK
		if rc.fail > 0 {
			rc.fail--
			status = http.StatusInternalServerError
		}
		rc.posts = append(rc.posts, post{header: r.Header.Clone(), body: b, status: status})
		rc.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) failNext(n int) { rc.mu.Lock(); rc.fail = n; rc.mu.Unlock() }

// ok returns the messages answered 200, in arrival order.
func (rc *receiver) ok() []post {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []post
	for _, p := range rc.posts {
		if p.status == http.StatusOK {
			out = append(out, p)
		}
	}
	return out
}

func (rc *receiver) all() []post {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return slices.Clone(rc.posts)
}

// waitOK waits until n messages were answered 200 and returns them.
func (rc *receiver) waitOK(t *testing.T, n int) []post {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := rc.ok()
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("receiver got %d messages, want %d", len(got), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// sns verifies messages as saasplane's receiver does, trusting the
// emulator's certificate.
type sns struct {
	v *awsmp.SNSVerifier
}

func newSNS(t *testing.T, e *env) sns {
	t.Helper()
	resp, err := e.http.Get(e.s.URL + "/aws/sns/cert.pem")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("cert.pem: %d %s", resp.StatusCode, b)
	}
	cert, err := awsmp.ParseCertificatePEM(b)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := cert.PublicKey.(interface{ Size() int }); !ok || cert.PublicKeyAlgorithm != x509.RSA {
		t.Fatalf("certificate key %T", cert.PublicKey)
	}
	return sns{v: &awsmp.SNSVerifier{Trusted: cert}}
}

// parse checks the envelope, headers and signature of p.
func (s sns) parse(t *testing.T, e *env, p post) awsmp.SNSMessage {
	t.Helper()
	m, err := awsmp.ParseSNSMessage(p.body)
	if err != nil {
		t.Fatalf("%v: %s", err, p.body)
	}
	if err := s.v.Verify(context.Background(), m); err != nil {
		t.Fatalf("verify: %v: %s", err, p.body)
	}
	if m.SignatureVersion != "2" || m.SigningCertURL != e.s.URL+"/aws/sns/cert.pem" {
		t.Errorf("SignatureVersion %q SigningCertURL %q", m.SignatureVersion, m.SigningCertURL)
	}
	if _, err := time.Parse("2006-01-02T15:04:05.000Z", m.Timestamp); err != nil {
		t.Errorf("Timestamp %q: %v", m.Timestamp, err)
	}
	h := p.header
	if h.Get("X-Amz-Sns-Message-Type") != m.Type || h.Get("X-Amz-Sns-Message-Id") != m.MessageID ||
		h.Get("X-Amz-Sns-Topic-Arn") != m.TopicArn || h.Get("Content-Type") != "text/plain; charset=UTF-8" {
		t.Errorf("headers %v for %s %s", h, m.Type, m.MessageID)
	}
	if m.Type == "Notification" && (m.UnsubscribeURL == "" || h.Get("X-Amz-Sns-Subscription-Arn") == "") {
		t.Errorf("notification without UnsubscribeURL or subscription ARN header: %s", p.body)
	}
	return m
}

// confirm visits the SubscribeURL of a confirmation and returns the
// subscription ARN.
func confirm(t *testing.T, e *env, m awsmp.SNSMessage) string {
	t.Helper()
	if m.Type != "SubscriptionConfirmation" || !strings.HasPrefix(m.SubscribeURL, e.s.URL+"/aws/sns/confirm?") {
		t.Fatalf("not a confirmation of this emulator: %+v", m)
	}
	resp, err := e.http.Get(m.SubscribeURL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out struct {
		Arn string `xml:"ConfirmSubscriptionResult>SubscriptionArn"`
	}
	if resp.StatusCode != http.StatusOK || xml.Unmarshal(b, &out) != nil || !strings.HasPrefix(out.Arn, m.TopicArn+":") {
		t.Fatalf("confirm: %d %s", resp.StatusCode, b)
	}
	return out.Arn
}

func body(t *testing.T, m awsmp.SNSMessage) map[string]string {
	t.Helper()
	var b map[string]string
	if err := json.Unmarshal([]byte(m.Message), &b); err != nil {
		t.Fatalf("Message %q: %v", m.Message, err)
	}
	return b
}

func subTopic(product string) string {
	return "arn:aws:sns:us-east-1:287250355862:aws-mp-subscription-notification-" + product
}

func entTopic(product string) string {
	return "arn:aws:sns:us-east-1:287250355862:aws-mp-entitlement-notification-" + product
}

// subscribe sets rc as the client's endpoint.
func subscribe(t *testing.T, c apitest.Client, rc *receiver) map[string]any {
	t.Helper()
	return c.Do(t, http.MethodPut, "/aws/marketplace/_emulator/notifications", map[string]string{"endpoint": rc.srv.URL + "/sns"}).
		Want(t, http.StatusOK).JSON(t)
}

// confirmAll waits for n confirmations at rc and confirms them.
func confirmAll(t *testing.T, e *env, s sns, rc *receiver, n int) {
	t.Helper()
	for _, p := range rc.waitOK(t, n)[:n] {
		confirm(t, e, s.parse(t, e, p))
	}
}

type snsMessage struct {
	MessageID string `json:"message_id"`
	TopicArn  string `json:"topic_arn"`
	SubArn    string `json:"subscription_arn"`
	Type      string `json:"type"`
	Status    string `json:"status"`
	Attempts  int    `json:"attempts"`
	LastError string `json:"last_error"`
	Message   string `json:"message"`
}

func messages(t *testing.T, c apitest.Client) []snsMessage {
	t.Helper()
	var out struct {
		Messages []snsMessage `json:"messages"`
	}
	c.Do(t, http.MethodGet, "/aws/marketplace/_emulator/notifications/messages", nil).Want(t, http.StatusOK).Decode(t, &out)
	return out.Messages
}

// actions returns the action of each notification on each topic, in order.
func actions(t *testing.T, e *env, s sns, ps []post) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, p := range ps {
		m := s.parse(t, e, p)
		if m.Type != "Notification" {
			t.Errorf("unexpected %s", m.Type)
			continue
		}
		out[m.TopicArn] = append(out[m.TopicArn], body(t, m)["action"])
	}
	return out
}

func TestSNSNotifications(t *testing.T) {
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, b apitest.Backend) {
		e := newEnv(t, b)
		s := newSNS(t, e)
		rc, other := newReceiver(t), newReceiver(t)
		if got := subscribe(t, e.admin, rc); got["status"] != "no_topics" {
			t.Errorf("endpoint before any product: %v", got)
		}
		otherSaaS := e.s.NewSaaS(t)
		subscribe(t, otherSaaS, other)

		product := pc("sns")
		p := buy(t, e.admin, product, "users", 3)
		confs := rc.waitOK(t, 2)
		topics := map[string]bool{}
		for _, c := range confs {
			m := s.parse(t, e, c)
			topics[m.TopicArn] = true
			if m.Token == "" || !strings.Contains(m.Message, m.TopicArn) {
				t.Errorf("confirmation %+v", m)
			}
		}
		if !topics[subTopic(product)] || !topics[entTopic(product)] {
			t.Fatalf("confirmations for %v", topics)
		}
		time.Sleep(150 * time.Millisecond) // queued until confirmed
		if n := len(rc.all()); n != 2 {
			t.Fatalf("%d messages before confirmation, want the 2 confirmations", n)
		}
		st := e.admin.Do(t, http.MethodGet, "/aws/marketplace/_emulator/notifications", nil).Want(t, http.StatusOK).JSON(t)
		if st["status"] != "pending_confirmation" || len(st["subscriptions"].([]any)) != 2 {
			t.Errorf("status before confirmation: %v", st)
		}
		for _, c := range confs {
			confirm(t, e, s.parse(t, e, c))
		}
		confirm(t, e, s.parse(t, e, confs[0])) // again: harmless
		st = e.admin.Do(t, http.MethodGet, "/aws/marketplace/_emulator/notifications", nil).Want(t, http.StatusOK).JSON(t)
		if st["status"] != "confirmed" {
			t.Errorf("status after confirmation: %v", st)
		}

		got := rc.waitOK(t, 4)[2:]
		for _, g := range got {
			m := s.parse(t, e, g)
			b := body(t, m)
			if b["customer-identifier"] != p.CustomerIdentifier || b["product-code"] != product {
				t.Errorf("body %v", b)
			}
			if m.TopicArn == subTopic(product) && (b["action"] != "subscribe-success" || !strings.HasPrefix(b["offer-identifier"], "offer-") ||
				b["isFreeTrialTermPresent"] != "false") {
				t.Errorf("subscription topic body %v", b)
			}
			if m.TopicArn == entTopic(product) && (b["action"] != "entitlement-updated" || len(b) != 3) {
				t.Errorf("entitlement topic body %v", b)
			}
		}
		if a := actions(t, e, s, got); len(a[subTopic(product)]) != 1 || len(a[entTopic(product)]) != 1 {
			t.Errorf("after create: %v", a)
		}

		e.admin.Do(t, http.MethodPatch, "/aws/marketplace/_emulator/purchases/"+p.CustomerIdentifier, map[string]any{"quantity": 5}).Want(t, http.StatusOK)
		got = rc.waitOK(t, 5)[4:]
		if a := actions(t, e, s, got); !slices.Equal(a[entTopic(product)], []string{"entitlement-updated"}) || len(a) != 1 {
			t.Errorf("after change: %v", a)
		}

		e.admin.Do(t, http.MethodPost, "/aws/marketplace/_emulator/purchases/"+p.CustomerIdentifier+"/cancel", nil).Want(t, http.StatusOK)
		got = rc.waitOK(t, 8)[5:]
		a := actions(t, e, s, got)
		if !slices.Equal(a[subTopic(product)], []string{"unsubscribe-pending", "unsubscribe-success"}) ||
			!slices.Equal(a[entTopic(product)], []string{"entitlement-updated"}) {
			t.Errorf("after cancel: %v", a)
		}

		// A failed subscription: subscribe-fail only, no entitlement.
		var failed purchase
		e.admin.Do(t, http.MethodPost, "/aws/marketplace/_emulator/purchases",
			map[string]any{"product_code": product, "dimension": "users", "fail": true}).Want(t, http.StatusCreated).Decode(t, &failed)
		if failed.Status != "failed" {
			t.Errorf("failed purchase status %q", failed.Status)
		}
		got = rc.waitOK(t, 9)[8:]
		if m := s.parse(t, e, got[0]); m.TopicArn != subTopic(product) || body(t, m)["action"] != "subscribe-fail" {
			t.Errorf("failed purchase: %s", got[0].body)
		}
		ents := e.call(t, e.assume(t), entitlements, map[string]any{"ProductCode": product})["Entitlements"].([]any)
		if len(ents) != 0 {
			t.Errorf("entitlements %v, want none", ents)
		}

		time.Sleep(200 * time.Millisecond)
		if n := len(rc.all()); n != 9 {
			t.Errorf("%d posts, want 9", n)
		}
		if n := len(other.all()); n != 0 {
			t.Errorf("another SaaS's endpoint got %d messages", n)
		}
		var ms []snsMessage
		waitFor(t, func() bool { // recorded after the receiver answered
			ms = messages(t, e.admin)
			for _, m := range ms {
				if m.Status != "delivered" {
					return false
				}
			}
			return true
		})
		if len(ms) != 9 || ms[0].Message != string(mustParse(t, got[0]).Message) {
			t.Errorf("messages %+v", ms)
		}
		for _, m := range ms {
			if m.Status != "delivered" || m.Attempts != 1 {
				t.Errorf("message %+v", m)
			}
		}
		if n := len(messages(t, otherSaaS)); n != 0 {
			t.Errorf("other SaaS lists %d messages", n)
		}

		// Bad requests and removal.
		e.admin.Do(t, http.MethodPut, "/aws/marketplace/_emulator/notifications", map[string]string{"endpoint": "ftp://x"}).
			WantError(t, http.StatusBadRequest, "", "endpoint")
		resp, err := e.http.Get(e.s.URL + "/aws/sns/confirm?Token=nope&TopicArn=" + subTopic(product))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("confirm with a bad token: %d", resp.StatusCode)
		}
		e.admin.Do(t, http.MethodDelete, "/aws/marketplace/_emulator/notifications", nil).Want(t, http.StatusNoContent)
		e.admin.Do(t, http.MethodGet, "/aws/marketplace/_emulator/notifications", nil).Want(t, http.StatusNotFound)
		buy(t, e.admin, product, "users", 1)
		time.Sleep(150 * time.Millisecond)
		if n := len(rc.all()); n != 9 {
			t.Errorf("%d posts after the endpoint was deleted, want 9", n)
		}
	})
}

func mustParse(t *testing.T, p post) awsmp.SNSMessage {
	t.Helper()
	m, err := awsmp.ParseSNSMessage(p.body)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestSNSRetriesAndDrops(t *testing.T) {
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, b apitest.Backend) {
		e := newEnv(t, b)
		s := newSNS(t, e)
		rc := newReceiver(t)
		subscribe(t, e.admin, rc)
		product := pc("sns-retry")
		p := buy(t, e.admin, product, "users", 1)
		confirmAll(t, e, s, rc, 2)
		rc.waitOK(t, 4)

		rc.failNext(2)
		e.admin.Do(t, http.MethodPatch, "/aws/marketplace/_emulator/purchases/"+p.CustomerIdentifier, map[string]any{"quantity": 2}).Want(t, http.StatusOK)
		got := rc.waitOK(t, 5)[4]
		m := s.parse(t, e, got)
		all := rc.all()
		if len(all) != 7 {
			t.Fatalf("%d posts, want 4 + 2 failed + 1", len(all))
		}
		for _, p := range all[4:] {
			if mustParse(t, p).MessageID != m.MessageID || string(p.body) != string(got.body) {
				t.Errorf("a retry differs from the first attempt: %s", p.body)
			}
		}
		// The receiver has the message before the deliverer records it.
		var ms []snsMessage
		waitFor(t, func() bool { ms = messages(t, e.admin); return ms[0].Status == "delivered" })
		if ms[0].MessageID != m.MessageID || ms[0].Attempts != 3 || ms[0].LastError != "" {
			t.Errorf("retried message %+v", ms[0])
		}

		// A receiver down for good: the message fails after the retries.
		rc.failNext(100)
		e.admin.Do(t, http.MethodPatch, "/aws/marketplace/_emulator/purchases/"+p.CustomerIdentifier, map[string]any{"quantity": 3}).Want(t, http.StatusOK)
		waitFor(t, func() bool { ms = messages(t, e.admin); return ms[0].Status == "failed" })
		if ms[0].Attempts != 4 || !strings.Contains(ms[0].LastError, "500") {
			t.Errorf("failed message %+v", ms[0])
		}
		rc.failNext(0)

		// A DeliverNotification fault drops the next notification.
		e.admin.Do(t, http.MethodPost, "/aws/marketplace/_emulator/faults",
			map[string]any{"operation": "DeliverNotification", "error": "Drop", "count": 1}).Want(t, http.StatusCreated)
		e.admin.Do(t, http.MethodPatch, "/aws/marketplace/_emulator/purchases/"+p.CustomerIdentifier, map[string]any{"quantity": 4}).Want(t, http.StatusOK)
		waitFor(t, func() bool { ms = messages(t, e.admin); return ms[0].Status == "dropped" })
		e.admin.Do(t, http.MethodPatch, "/aws/marketplace/_emulator/purchases/"+p.CustomerIdentifier, map[string]any{"quantity": 5}).Want(t, http.StatusOK)
		waitFor(t, func() bool { ms = messages(t, e.admin); return ms[0].Status == "delivered" })
		if last := rc.all(); mustParse(t, last[len(last)-1]).MessageID != ms[0].MessageID || len(last) != 7+4+1 {
			t.Errorf("after the drop: %d posts", len(last))
		}
	})
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 10s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// newProcess starts another saasplane node on the same database: fresh
// emulator services and a jobs engine working their queue, until the
// test ends.
func newProcess(t *testing.T, b apitest.Backend, publicURL string) {
	log := slog.New(slog.DiscardHandler)
	apitest.RunEmulatorJobs(t, b.DB, awsemu.NewService(b.DB.AWSEmulator(), time.Now, apitest.SeededIDs(t), log),
		azemu.NewService(b.DB.AzureEmulator(), time.Now, apitest.SeededIDs(t), log), publicURL)
}

func TestSNSSurvivesRestart(t *testing.T) {
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, b apitest.Backend) {
		srv := apitest.NewServerWith(t, b.DB, apitest.Options{})
		e := &env{s: srv, admin: srv.NewSaaS(t), clock: &clock{}, http: &http.Client{Timeout: 30 * time.Second}}
		s := newSNS(t, e)
		rc := newReceiver(t)
		subscribe(t, e.admin, rc)
		product := pc("sns-restart")
		buy(t, e.admin, product, "users", 1)
		time.Sleep(100 * time.Millisecond)
		if n := len(rc.all()); n != 0 {
			t.Fatalf("%d posts without a deliverer", n)
		}
		for _, m := range messages(t, e.admin) {
			if m.Status != "pending" {
				t.Errorf("message %+v", m)
			}
		}
		// The "restarted" process delivers what the first one queued.
		newProcess(t, b, srv.URL)
		confirmAll(t, e, s, rc, 2)
		if a := actions(t, e, s, rc.waitOK(t, 4)[2:]); len(a[subTopic(product)]) != 1 || len(a[entTopic(product)]) != 1 {
			t.Errorf("after restart: %v", a)
		}
	})
}

func TestSNSConcurrentDeliverers(t *testing.T) {
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, b apitest.Backend) {
		srv := apitest.NewServerWith(t, b.DB, apitest.Options{})
		e := &env{s: srv, admin: srv.NewSaaS(t), clock: &clock{}, http: &http.Client{Timeout: 30 * time.Second}}
		s := newSNS(t, e)
		rc := newReceiver(t)
		subscribe(t, e.admin, rc)
		product := pc("sns-two")
		// Two nodes work the emulators' queue of one database.
		newProcess(t, b, srv.URL)
		newProcess(t, b, srv.URL)
		buy(t, e.admin, product, "users", 1)
		confirmAll(t, e, s, rc, 2)
		const purchases = 10
		for range purchases {
			buy(t, e.admin, product, "users", 1)
		}
		want := 2 + 2*(purchases+1)
		rc.waitOK(t, want)
		time.Sleep(200 * time.Millisecond)
		seen := map[string]int{}
		order := map[string][]string{} // topic -> message ids as posted
		for _, p := range rc.all() {
			m := mustParse(t, p)
			seen[m.MessageID]++
			order[m.TopicArn] = append(order[m.TopicArn], m.MessageID)
		}
		// Each subscription's messages arrive in the order they were
		// queued (messages lists them newest first).
		queued := map[string][]string{}
		ms := messages(t, e.admin)
		for i := len(ms) - 1; i >= 0; i-- {
			queued[ms[i].TopicArn] = append(queued[ms[i].TopicArn], ms[i].MessageID)
		}
		for topic, ids := range queued {
			if !slices.Equal(order[topic], ids) {
				t.Errorf("topic %s: posted %v, queued %v", topic, order[topic], ids)
			}
		}
		if len(seen) != want {
			t.Errorf("%d distinct messages, want %d", len(seen), want)
		}
		for id, n := range seen {
			if n != 1 {
				t.Errorf("message %s posted %d times", id, n)
			}
		}
		for _, m := range messages(t, e.admin) {
			if m.Status != "delivered" || m.Attempts != 1 {
				t.Errorf("message %+v", m)
			}
		}
		// A delivery job that runs again (a node died before the engine
		// recorded its end) posts nothing twice.
		posted := len(rc.all())
		d := awsemu.NewDeliverer(srv.AWSEmulator, apitest.SNSDeliveryConfig(srv.URL))
		for arn := range subscriptionsOf(ms) {
			if wait, err := d.Deliver(t.Context(), arn); err != nil || wait != 0 {
				t.Errorf("rerun of %s: wait %v, %v", arn, wait, err)
			}
		}
		if n := len(rc.all()); n != posted {
			t.Errorf("a rerun posted %d more messages", n-posted)
		}
	})
}

// subscriptionsOf returns the subscriptions of messages.
func subscriptionsOf(ms []snsMessage) map[string]bool {
	out := map[string]bool{}
	for _, m := range ms {
		out[m.SubArn] = true
	}
	return out
}
