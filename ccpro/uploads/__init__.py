"""Private user uploads: validated by content, stored under random names, served only to owner and staff."""
