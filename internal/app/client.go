package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/saasplane/saasplane/internal/marketplace/aws"
	"github.com/saasplane/saasplane/internal/sigv1"
)

// client is the CLI's signed client of a running server: --server (or
// SAASPLANE_SERVER) and the SaaS credentials of SAASUS_SAAS_ID,
// SAASUS_API_KEY and SAASUS_SECRET_KEY, as the SaaSus SDKs read them.
type client struct {
	base                   *url.URL
	saasID, apiKey, secret string
	http                   *http.Client
	now                    func() time.Time
}

func newClient(server string, getenv func(string) string) (*client, error) {
	u, err := url.Parse(strings.TrimRight(server, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%w: --server %q is not an http(s) URL", ErrUsage, server)
	}
	c := &client{base: u, saasID: getenv("SAASUS_SAAS_ID"), apiKey: getenv("SAASUS_API_KEY"), secret: getenv("SAASUS_SECRET_KEY"),
		http: &http.Client{Timeout: 60 * time.Second}, now: time.Now}
	if c.saasID == "" || c.apiKey == "" || c.secret == "" {
		return nil, fmt.Errorf("%w: set SAASUS_SAAS_ID, SAASUS_API_KEY and SAASUS_SECRET_KEY to the SaaS's credentials", ErrUsage)
	}
	return c, nil
}

// do sends a signed request and decodes a 2xx JSON answer into out (when
// not nil); any other answer is an error carrying the server's message.
func (c *client) do(ctx context.Context, method, pathQuery string, body []byte, out any) error {
	_, err := c.doStatus(ctx, method, pathQuery, body, out)
	return err
}

// doStatus is do that also returns the status of the 2xx answer, for the
// calls whose 200 and 201 mean different things.
func (c *client) doStatus(ctx context.Context, method, pathQuery string, body []byte, out any) (int, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base.String()+pathQuery, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	sig := sigv1.Sign([]byte(c.secret), c.now(), c.apiKey, method, sigv1.Target(req.Host, req.URL.RequestURI()), body)
	req.Header.Set("Authorization", sigv1.Header{Sig: sig, SaaSID: c.saasID, APIKey: c.apiKey}.Format())
	if len(body) > 0 {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return 0, err
	}
	if resp.StatusCode/100 != 2 {
		var e struct{ Type, Message string }
		if json.Unmarshal(b, &e) == nil && e.Message != "" {
			return 0, fmt.Errorf("%s %s: %d %s: %s", method, pathQuery, resp.StatusCode, e.Type, e.Message)
		}
		return 0, fmt.Errorf("%s %s: HTTP %d", method, pathQuery, resp.StatusCode)
	}
	if out == nil || len(b) == 0 {
		return resp.StatusCode, nil
	}
	return resp.StatusCode, json.Unmarshal(b, out)
}

// runAWS runs the AWS Marketplace client commands.
func runAWS(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: aws needs a subcommand: customers, usage-reports, report-usage or template", ErrUsage)
	}
	if args[0] == "template" { // offline: the template this binary ships
		if err := parse(newFlagSet("aws template", stderr), args[1:]); err != nil {
			return err
		}
		_, err := stdout.Write(aws.SellerTemplate())
		return err
	}
	fs := newFlagSet("aws "+args[0], stderr)
	server := fs.String("server", envOr(getenv, "SAASPLANE_SERVER", "http://127.0.0.1:8080"), "the saasplane server (env SAASPLANE_SERVER)")
	asJSON := fs.Bool("json", false, "print the server's JSON instead of a table")
	var customer *string
	var limit *int
	switch args[0] {
	case "customers":
	case "usage-reports":
		customer = fs.String("customer", "", "only this buyer's reports (customer identifier)")
		limit = fs.Int("limit", 100, "at most this many reports, newest first (1 to 1000)")
	case "report-usage":
	default:
		return fmt.Errorf("%w: unknown aws subcommand %q: customers, usage-reports or report-usage", ErrUsage, args[0])
	}
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	c, err := newClient(*server, getenv)
	if err != nil {
		return err
	}
	var raw json.RawMessage
	switch args[0] {
	case "customers":
		err = c.do(ctx, "GET", "/v1/awsmarketplace/customers", nil, &raw)
	case "usage-reports":
		q := url.Values{"limit": {strconv.Itoa(*limit)}}
		if *customer != "" {
			q.Set("customer_identifier", *customer)
		}
		err = c.do(ctx, "GET", "/v1/awsmarketplace/usage-reports?"+q.Encode(), nil, &raw)
	case "report-usage":
		err = c.do(ctx, "POST", "/v1/awsmarketplace/usage-reports/run", nil, &raw)
	}
	if err != nil {
		return err
	}
	if *asJSON {
		_, err := fmt.Fprintf(stdout, "%s\n", raw)
		return err
	}
	return printTable(stdout, args[0], raw)
}

// printTable prints a client command's answer for people.
func printTable(w io.Writer, cmd string, raw json.RawMessage) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	defer tw.Flush()
	switch cmd {
	case "customers":
		var v struct {
			Customers []map[string]string `json:"customers"`
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		fmt.Fprintln(tw, "CUSTOMER\tACCOUNT\tTENANT\tSTATUS\tDIMENSION\tENTITLED UNTIL")
		for _, c := range v.Customers {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", c["customer_identifier"], c["customer_aws_account_id"], c["tenant_id"],
				c["status"], c["dimension"], c["entitlement_expires_at"])
		}
	case "usage-reports":
		var v struct {
			Reports []struct {
				Customer  string `json:"customer_identifier"`
				Dimension string `json:"dimension"`
				Hour      string `json:"hour"`
				Quantity  int64  `json:"quantity"`
				Status    string `json:"status"`
				Result    string `json:"result"`
				Attempts  int    `json:"attempts"`
				LastError string `json:"last_error"`
			} `json:"usage_reports"`
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		fmt.Fprintln(tw, "HOUR\tCUSTOMER\tDIMENSION\tQUANTITY\tSTATUS\tAWS\tATTEMPTS\tLAST ERROR")
		for _, r := range v.Reports {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%d\t%s\n", r.Hour, r.Customer, r.Dimension, r.Quantity, r.Status, r.Result, r.Attempts, r.LastError)
		}
	default:
		var v map[string]int
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		fmt.Fprintln(tw, "CLOSED\tSENT\tPENDING\tEXPIRED\tFAILED")
		fmt.Fprintf(tw, "%d\t%d\t%d\t%d\t%d\n", v["closed"], v["sent"], v["pending"], v["expired"], v["failed"])
	}
	return nil
}
