"""Imports every ORM module so ``Base.metadata`` knows all tables (migrations, tests)."""

from dmp.access import orm as access_orm
from dmp.accounts import orm as accounts_orm
from dmp.audit import orm as audit_orm
from dmp.bloodgroup import orm as bloodgroup_orm
from dmp.directives_record import orm as directives_orm
from dmp.export import orm as export_orm
from dmp.identity import orm as identity_orm
from dmp.linked import orm as linked_orm
from dmp.notifications import orm as notifications_orm
from dmp.profile import orm as profile_orm
from dmp.records import orm as records_orm
from dmp.rights import orm as rights_orm
from dmp.shared.db import Base
from dmp.trusted import orm as trusted_orm
from dmp.vaccination import orm as vaccination_orm

__all__ = [
    "Base",
    "access_orm",
    "accounts_orm",
    "audit_orm",
    "bloodgroup_orm",
    "directives_orm",
    "export_orm",
    "identity_orm",
    "linked_orm",
    "notifications_orm",
    "profile_orm",
    "records_orm",
    "rights_orm",
    "trusted_orm",
    "vaccination_orm",
]
