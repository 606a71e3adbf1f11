"""Platform-neutral conversation and business logic: surveys, replies, delivery."""
