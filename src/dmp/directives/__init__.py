"""Directives anticipées (advance directives) and the personne de confiance (trusted person).

Pure rules and rendering, no web or database code (DOMAIN.md §6):

* ``model``: the official model (arrêté du 3 août 2016, R1111-18) as data, and its validation
  (R1111-17: author identity, witnesses, protected adults, date and signature).
* ``versions``: which version prevails (the most recent, R1111-17), revocation, and the
  regular reminder to the author (R1111-19).
* ``trusted_person``: the designation of a personne de confiance (L1111-6).
* ``invitations``: single-use codes inviting the designee or a witness to co-sign.
* ``render``: the document as a PDF, an HTML page or plain text.
"""
