"""GDPR rights on the shared record: rectification requests, the consents registry (with the
research opposition every research use must honour), and what the "Mes droits" page says.

``model`` and ``texts`` are pure; ``orm`` the tables; ``registry`` writes consent entries
from the record's own flows (creation, sharing, notice preferences) without needing an
:class:`~dmp.access.services.Access`; ``services`` the holder's and the answerers' actions.
"""
