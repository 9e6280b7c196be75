"""The read models derived from the platform's event stream: one module each, exposing
`projection(manifest)` (None when the deployment lacks what it reads). Adding a projection is
adding a module here: it declares the events it handles and owns its tables; the stream finds
it, and `impactchain indexer rebuild NAME` fills it from the event store."""

import importlib
import pkgutil

from impactchain.registry import DeploymentManifest
from indexer.stream import EventProjection


def projections_for(manifest: DeploymentManifest) -> list[EventProjection]:
    found = []
    for module in pkgutil.iter_modules(__path__):
        projection = importlib.import_module(f"{__name__}.{module.name}").projection(manifest)
        if projection is not None:
            found.append(projection)
    return sorted(found, key=lambda p: p.name)
