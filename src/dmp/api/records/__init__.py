"""The shared record over REST: every route builds an Access (who acts, on whose record) and
calls the record services, which apply the one policy; what the caller may not see answers 404.
"""

from fastapi import APIRouter

from dmp.api.records import (
    blood_group,
    directives,
    documents,
    emergency,
    history,
    linked,
    profile,
    rights,
    sharing,
    status,
    trusted_person,
    vaccinations,
)

router = APIRouter()
for module in (status, documents, sharing, emergency, history, profile, vaccinations, blood_group):
    router.include_router(module.router)
router.include_router(rights.router)
router.include_router(trusted_person.router)
router.include_router(linked.router)
router.include_router(directives.router)
