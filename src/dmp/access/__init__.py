"""Who may do what with a patient's record: one pure policy, used by every door."""
