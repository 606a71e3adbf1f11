"""What every capability shares: the context, inbound events, replies, the outbound port, platforms, settings,
button payloads, notes, policy, weeks, survey definitions and posting to staff destinations."""
