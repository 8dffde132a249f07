"""The SIP trunk transport: a carrier connection over SIP, with faxes carried as G.711 audio
(RTP) or T.38 (UDPTL). ``config`` is what faxing configures; the user agent, the media and the
transport itself live beside it."""
