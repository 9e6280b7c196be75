"""Unsigned transactions for the client's wallet to sign: checked, simulated and priced here first."""
