package app

import (
	"testing"

	"github.com/saasplane/saasplane/internal/api/awsemuapi"
)

// TestEventBridgeEndpointFlag: --eventbridge-endpoint takes "aws",
// "emulator" or an http(s) URL, and follows --aws-endpoint when unset.
func TestEventBridgeEndpointFlag(t *testing.T) {
	for _, tc := range []struct{ eb, aws string }{{"ftp://x", ""}, {"nonsense", "emulator"}} {
		if _, err := eventBridgeClient(t.Context(), tc.eb, tc.aws, "http://127.0.0.1:1", awsemuapiConfigForTest()); err == nil {
			t.Errorf("--eventbridge-endpoint %q accepted", tc.eb)
		}
	}
	for _, tc := range []struct{ eb, aws string }{{"", ""}, {"", "emulator"}, {"aws", "emulator"}, {"emulator", ""}, {"http://h:1", ""}} {
		if _, err := eventBridgeClient(t.Context(), tc.eb, tc.aws, "http://127.0.0.1:1", awsemuapiConfigForTest()); err != nil {
			t.Errorf("--eventbridge-endpoint %q with --aws-endpoint %q: %v", tc.eb, tc.aws, err)
		}
	}
}

func awsemuapiConfigForTest() awsemuapi.Config {
	return awsemuapi.Config{AccessKeyID: awsemuapi.DefaultAccessKeyID, SecretAccessKey: awsemuapi.DefaultSecretAccessKey}
}
