"""CI-SIS / DMP terminologies (value sets) used in document metadata, shipped as data files."""
