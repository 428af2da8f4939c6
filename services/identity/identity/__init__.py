"""identity: the portal's accounts, their credentials, roles and login sessions."""
