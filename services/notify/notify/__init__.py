"""notify: turns the portal's events into French e-mails and keeps, for each
message, its delivery status."""
