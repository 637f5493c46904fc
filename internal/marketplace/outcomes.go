package marketplace

// Outcomes of a marketplace message (an AWS notification, an Azure
// operation) that both marketplaces record; each adds its own.
const (
	OutcomeApplied   = "applied"
	OutcomeDuplicate = "duplicate" // the same message id was processed before
	OutcomeStale     = "stale"     // older than a change already applied
)
