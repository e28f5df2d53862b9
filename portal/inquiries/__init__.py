"""Membership and sponsorship inquiries: what the foundation offers, and who answers."""
