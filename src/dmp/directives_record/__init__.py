"""Directives anticipées kept in the record (DOMAIN.md §6): the stored versions, signing,
revocation, reading through the access policy, and the yearly reminder. The rules and the
document itself come from the pure package :mod:`dmp.directives`."""
