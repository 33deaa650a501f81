"""PeaRL's server and command line: thin entrypoints over ``pearl_core``.

Everything here validates input, authorises, calls one ``pearl_core`` service
and maps the result. It imports only ``pearl_core``'s public surface.
"""

__all__: list[str] = []
