"""Traffic tallies: per-day counts of outbound jobs and received faxes, kept exact as they
change, for the reports and the Dashboard (decision 0034)."""
