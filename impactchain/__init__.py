"""ImpactChain core: what the indexer, the API and the workers share.

Settings, database models and sessions, and the contract registry that loads the
deployment manifest and ABIs. The apps import this package; it never imports them.
"""
