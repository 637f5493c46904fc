package app

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/saasplane/saasplane/internal/api/awsemuapi"
	"github.com/saasplane/saasplane/internal/integration/eventbridge"
)

// EventBridgeAWS is the --eventbridge-endpoint value that means AWS
// itself whatever --aws-endpoint says.
const EventBridgeAWS = "aws"

// eventBridgeClient builds the EventBridge client from
// --eventbridge-endpoint (endpoint) and --aws-endpoint (awsEndpoint):
//   - "": as --aws-endpoint: AWS itself when that is "", else the same
//     emulator (this server's, or the saasplane server at its URL);
//   - "aws": AWS itself, as saasplane's own principal found by the
//     standard AWS chain, in each SaaS's region;
//   - "emulator": this server's own emulator, reached at self;
//   - a URL: the emulator of the saasplane server served there.
//
// An emulator is called at <base>/aws/events with its base credentials
// (emu).
func eventBridgeClient(ctx context.Context, endpoint, awsEndpoint, self string, emu awsemuapi.Config) (*eventbridge.Client, error) {
	hc := &http.Client{Timeout: 30 * time.Second}
	if endpoint == "" {
		endpoint = awsEndpoint
		if endpoint == "" {
			endpoint = EventBridgeAWS
		}
	}
	if endpoint == EventBridgeAWS {
		ac, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			return nil, fmt.Errorf("AWS credentials: %w", err)
		}
		return eventbridge.New(eventbridge.Config{Credentials: ac.Credentials, HTTPClient: hc}), nil
	}
	base := self
	if endpoint != AWSEmulatorEndpoint {
		u, err := url.Parse(endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("--eventbridge-endpoint %q: want %q, %q or an http(s) URL of a saasplane server", endpoint, EventBridgeAWS, AWSEmulatorEndpoint)
		}
		base = endpoint
	}
	return eventbridge.New(eventbridge.Config{Endpoint: strings.TrimRight(base, "/") + "/aws/events", HTTPClient: hc,
		Credentials: credentials.NewStaticCredentialsProvider(emu.AccessKeyID, emu.SecretAccessKey, "")}), nil
}
