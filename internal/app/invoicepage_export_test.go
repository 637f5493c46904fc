package app

// RenderInvoicePage lets the external tests render the invoice page from a
// hand-built invoice.
var RenderInvoicePage = renderInvoicePage
