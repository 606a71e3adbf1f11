"""The e-mail channel: survey invitations (and reminders) sent through SMTP, answered on the survey page."""
