"""The blood-group card ("carte de groupe sanguin"): rules, verification token, printable card.

Sources: DOMAIN.md §7 (content, one or two determinations, RAI).
"""
