package api

import (
	"net/http"
)

// specHandler serves one of our own OpenAPI documents. It is public: it
// describes the API and holds no data.
func specHandler(doc []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/yaml")
		_, _ = w.Write(doc)
	})
}
