"""The anonymous suggestion box: submissions nobody can trace, invitations to use it, and what staff see of it."""
