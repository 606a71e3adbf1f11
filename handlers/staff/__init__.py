"""Staff accounts of the web console: invitations, passwords, roles, sessions and sign-in limits."""
