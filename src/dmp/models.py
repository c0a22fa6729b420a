"""Imports every ORM module so ``Base.metadata`` knows all tables (migrations, tests)."""

from dmp.accounts import orm as accounts_orm
from dmp.audit import orm as audit_orm
from dmp.identity import orm as identity_orm
from dmp.shared.db import Base

__all__ = ["Base", "accounts_orm", "audit_orm", "identity_orm"]
