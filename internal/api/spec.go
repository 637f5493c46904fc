package api

import (
	"net/http"

	apispec "github.com/saasplane/saasplane/api"
)

// serveSpec serves our own OpenAPI document of the Pricing API. It is public:
// it describes the API and holds no data.
func serveSpec(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/yaml")
	_, _ = w.Write(apispec.Pricing)
}
