"""Linked profiles (profils rattachés): a child's legal representatives, a protected adult's
delegates, and the end of the representatives' access at majority."""
