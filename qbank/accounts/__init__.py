"""Accounts: users, roles, sign-in, registration, API tokens and the access rules every view
declares (`permissions`)."""
