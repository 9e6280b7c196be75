"""The app's settings object, as a dependency."""

from litestar.datastructures import State

from impactchain.settings import Settings


def provide_settings(state: State) -> Settings:
    settings: Settings = state.settings
    return settings
