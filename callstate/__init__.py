"""callstate: Microsoft Graph call transfer as an explicit, checked state machine."""
