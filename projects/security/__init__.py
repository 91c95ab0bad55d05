"""Access control as MLPS 2.0 level 3 asks (等保三级): roles and the three administrators, the
second factor, lockout, sessions, passwords, and the security events they produce."""
