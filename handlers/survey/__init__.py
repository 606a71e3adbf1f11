"""The post-interaction survey: the pure state machine, its prompts, asking, sending due surveys,
the helpdesk trigger and a person's own settings."""
