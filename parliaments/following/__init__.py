"""Following: follows, notifications and email digests (issue 18)."""
