//go:build !race

package apilogapi_test

const raceEnabled = false
