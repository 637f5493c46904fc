// Package attribute declares the typed, named attributes that a SaaS adds
// to its tenants and users (string, number, bool or date), and checks
// values against those declarations. Numbers stay exact decimal text
// (json.Number); dates are YYYY-MM-DD.
package attribute
