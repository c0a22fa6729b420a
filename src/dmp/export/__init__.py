"""The GDPR export ("Télécharger mes données"): everything the holder's side may see of their
record and of the linked profiles they manage, as a ZIP built by the worker and kept 7 days."""
