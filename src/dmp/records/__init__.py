"""The shared record itself: its lifecycle (open, closed, purged) and its documents."""
