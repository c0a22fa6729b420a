"""The shared record over REST: every route builds an Access (who acts, on whose record) and
calls the record services, which apply the one policy; what the caller may not see answers 404.
"""

from fastapi import APIRouter

from dmp.api.records import (
    documents,
    emergency,
    history,
    profile,
    sharing,
    status,
    vaccinations,
)

router = APIRouter()
for module in (status, documents, sharing, emergency, history, profile, vaccinations):
    router.include_router(module.router)
