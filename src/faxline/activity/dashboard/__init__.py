"""The Dashboard's traffic panel: the chart of inbound and outbound pages over time and the
Top Destinations map and list, read from faxing's per-day tallies (declared in
``ActivityConfig.dashboard_panels``)."""
