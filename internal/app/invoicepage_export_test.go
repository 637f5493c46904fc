package app

// RenderInvoicePage lets the external tests render the invoice page from a
// hand-built invoice.
var RenderInvoicePage = renderInvoicePage

// SampleInvoice is the formatting tests' finalized invoice.
var SampleInvoice = sampleInvoice
