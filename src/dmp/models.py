"""Imports every ORM module so ``Base.metadata`` knows all tables (migrations, tests)."""

from dmp.access import orm as access_orm
from dmp.accounts import orm as accounts_orm
from dmp.audit import orm as audit_orm
from dmp.identity import orm as identity_orm
from dmp.notifications import orm as notifications_orm
from dmp.profile import orm as profile_orm
from dmp.records import orm as records_orm
from dmp.shared.db import Base
from dmp.vaccination import orm as vaccination_orm

__all__ = [
    "Base",
    "access_orm",
    "accounts_orm",
    "audit_orm",
    "identity_orm",
    "notifications_orm",
    "profile_orm",
    "records_orm",
    "vaccination_orm",
]
