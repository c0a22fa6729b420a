"""The designation of a personne de confiance (trusted person) in the record (L1111-6).

The pure rules of the designation itself (who may be designated, contacts, invitation codes)
live in :mod:`dmp.directives.trusted_person` and :mod:`dmp.directives.invitations`; this
package stores designations as record items (so the one access policy applies), runs the
co-signature by invitation, and holds the lifecycle rules that need no database
(:mod:`dmp.trusted.model`).
"""
