"""Encrypted document storage: key-encryption keys, envelope encryption, blob stores."""
