"""The porting desk (operators): the queue and its SLA timers, the audited reveal of carrier
credentials, snap-back, fees, and the console pages and API."""
